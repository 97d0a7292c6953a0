/** The measurements made on each target, in order, on a freshly started process. */
import { runLoad, type LoadTool } from './load.ts';
import { HttpProbe, type ProbeResult } from './probe.ts';
import { cpuTimeMs, memoryOf, type RunningTarget } from './targets.ts';

export interface Settings {
  /** Connections for the throughput runs. */
  connections: number;
  chatSeconds: number;
  streamSeconds: number;
  warmupSeconds: number;
  /** Sequential requests at one connection (latency) and paced streams (first byte). */
  oneConnSamples: number;
  ttfbSamples: number;
  /** Pause after the warm-up before idle RSS is read. */
  settleMs: number;
}

/** Everything measured on one target in one run (NaN where not measured). */
export interface TargetRun {
  coldStartMs: number;
  idleRssMb: number;
  peakRssMb: number;
  chatRps: number;
  /** The target's own CPU time per non-stream chat under load: steady even when other work shares the machine. */
  chatCpuUs: number;
  chatP50Ms: number;
  chatP99Ms: number;
  oneConnP50Ms: number;
  oneConnP99Ms: number;
  /** First streamed chunk of a fresh process (after its first-pass streams). */
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  /** First streamed chunk again once the load runs are over: the process in its steady state. */
  ttfbWarmP50Ms: number;
  ttfbWarmP99Ms: number;
  streamTotalP50Ms: number;
  streamRps: number;
  streamCpuUs: number;
  /** Failed or non-2xx requests across the load runs (should be 0). */
  failures: number;
}

export interface ScenarioContext {
  tool: LoadTool;
  /** Command prefix pinning the load generator to the load CPU. */
  loadPin: string[];
  settings: Settings;
  upstreamModel: string;
}

/** Value at quantile q (0..1) of a sample, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

/** A small, realistic chat request as the target wants it. */
export function chatBody(t: RunningTarget, model: string, stream: boolean): string {
  const body: Record<string, unknown> = {
    model: t.model(model),
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello in one short sentence.' },
    ],
    max_tokens: 64,
  };
  if (stream) body.stream = true;
  return JSON.stringify(body);
}

/** Checks that a target really answers chats (JSON, and SSE ending in [DONE]) before timing it. */
async function sanity(probe: HttpProbe, t: RunningTarget, model: string): Promise<void> {
  const plain = await probe.request('POST', '/v1/chat/completions', t.headers, chatBody(t, model, false));
  if (plain.status !== 200) throw new Error(`${t.name}: chat answered ${plain.status}: ${plain.body.slice(0, 200)}`);
  const answer = JSON.parse(plain.body) as { choices?: unknown[] };
  if (!Array.isArray(answer.choices)) throw new Error(`${t.name}: chat answer has no choices`);
  const streamed = await probe.request('POST', '/v1/chat/completions', t.headers, chatBody(t, `${model}-paced`, true));
  if (streamed.status !== 200 || !streamed.body.includes('data: [DONE]')) {
    throw new Error(`${t.name}: streamed chat answered ${streamed.status}: ${streamed.body.slice(0, 200)}`);
  }
}

async function sequential(probe: HttpProbe, n: number, send: () => Promise<ProbeResult>): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (let i = 0; i < n; i++) {
    const r = await send();
    if (r.status !== 200) throw new Error(`one-connection request answered ${r.status}`);
    out.push(r);
  }
  return out;
}

/** Paced streams one after another: a first pass, then the pass that counts (checked to end in [DONE]). */
async function pacedStreams(probe: HttpProbe, t: RunningTarget, body: string, n: number): Promise<ProbeResult[]> {
  await sequential(probe, n, () => probe.request('POST', '/v1/chat/completions', t.headers, body));
  const paced = await sequential(probe, n, () => probe.request('POST', '/v1/chat/completions', t.headers, body));
  if (!paced.every((r) => r.body.includes('data: [DONE]'))) throw new Error(`${t.name}: a paced stream did not end with [DONE]`);
  return paced;
}

/** Runs every scenario against one started target. */
export async function measureTarget(t: RunningTarget, ctx: ScenarioContext): Promise<TargetRun> {
  const s = ctx.settings;
  const model = ctx.upstreamModel;
  const probe = await HttpProbe.open(t.port);
  const pacedBody = chatBody(t, `${model}-paced`, true);
  let oneConn: ProbeResult[];
  let paced: ProbeResult[];
  try {
    await sanity(probe, t, model);
    const plainBody = chatBody(t, model, false);
    // A first pass warms the JIT and the upstream connection pool; only the second one counts. The
    // stream path gets its own first pass: it shares little code with the non-stream one.
    await sequential(probe, Math.min(200, s.oneConnSamples), () => probe.request('POST', '/v1/chat/completions', t.headers, plainBody));
    oneConn = await sequential(probe, s.oneConnSamples, () => probe.request('POST', '/v1/chat/completions', t.headers, plainBody));
    paced = await pacedStreams(probe, t, pacedBody, s.ttfbSamples);
  } finally {
    probe.close();
  }
  await Bun.sleep(s.settleMs);
  const idle = memoryOf(t.pid);

  const load = (body: string, seconds: number, connections = s.connections) =>
    runLoad(
      ctx.tool,
      { port: t.port, method: 'POST', path: '/v1/chat/completions', headers: t.headers, body, connections, durationSec: seconds },
      ctx.loadPin,
    );
  if (s.warmupSeconds > 0) await load(chatBody(t, model, false), s.warmupSeconds);
  const cpu0 = cpuTimeMs(t.pid);
  const chat = await load(chatBody(t, model, false), s.chatSeconds);
  const cpu1 = cpuTimeMs(t.pid);
  const stream = await load(chatBody(t, model, true), s.streamSeconds);
  const cpu2 = cpuTimeMs(t.pid);
  const after = memoryOf(t.pid);

  // The same paced streams once more. A fresh process has run the stream path ~100 times, so the JIT
  // has not yet compiled it fully; a gateway in service has, and this is the latency its clients see.
  await Bun.sleep(s.settleMs);
  const warmProbe = await HttpProbe.open(t.port);
  let warm: ProbeResult[];
  try {
    warm = await pacedStreams(warmProbe, t, pacedBody, s.ttfbSamples);
  } finally {
    warmProbe.close();
  }

  return {
    coldStartMs: t.coldStartMs,
    idleRssMb: idle.rssMb,
    peakRssMb: after.peakMb,
    chatRps: chat.rps,
    chatCpuUs: ((cpu1 - cpu0) * 1000) / Math.max(1, chat.requests),
    chatP50Ms: chat.p50Ms,
    chatP99Ms: chat.p99Ms,
    oneConnP50Ms: quantile(oneConn.map((r) => r.totalMs), 0.5),
    oneConnP99Ms: quantile(oneConn.map((r) => r.totalMs), 0.99),
    ttfbP50Ms: quantile(paced.map((r) => r.firstByteMs), 0.5),
    ttfbP99Ms: quantile(paced.map((r) => r.firstByteMs), 0.99),
    ttfbWarmP50Ms: quantile(warm.map((r) => r.firstByteMs), 0.5),
    ttfbWarmP99Ms: quantile(warm.map((r) => r.firstByteMs), 0.99),
    streamTotalP50Ms: quantile(paced.map((r) => r.totalMs), 0.5),
    streamRps: stream.rps,
    streamCpuUs: ((cpu2 - cpu1) * 1000) / Math.max(1, stream.requests),
    failures: chat.errors + chat.non2xx + stream.errors + stream.non2xx,
  };
}
