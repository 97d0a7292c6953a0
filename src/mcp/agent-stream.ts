/**
 * The agent loop for streamed chats: every round's chunks reach the client as they arrive, MCP tools
 * run between rounds, and the client's stream ends with exactly one `data: [DONE]` (or one error event).
 */
import { readJsonAnswer, SSE_HEADERS } from '../chat/forward.ts';
import type { UpstreamCall } from '../upstream/client.ts';
import { withRequestId } from '../telemetry/request-record.ts';
import { relaySse, sseErrorEvent } from '../upstream/sse.ts';
import { callModel, continueWithTools, LIMIT_FINISH_REASON, noteRound, splitCalls, UsageSum, type AgentRun } from './agent-round.ts';
import { sseDataEvents } from './sse-events.ts';
import { RoundAssembler } from './stream-round.ts';

const encoder = new TextEncoder();
/** An SSE comment: clients ignore it, but it keeps the connection from looking idle. */
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n');
const MAX_KEEP_ALIVE_MS = 10_000;
const DONE = encoder.encode('data: [DONE]\n\n');
const CLIENT_GONE = 'client disconnected';

const event = (data: string) => encoder.encode(`data: ${data}\n\n`);

/** How the stream ended, for the request's log line. */
interface Ending {
  error?: string;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : 'Upstream stream failed';
}

/** Half the write timeout, so a quiet stretch never reaches it; at most every 10 s. */
function keepAliveMs(run: AgentRun): number {
  return Math.max(250, Math.min(MAX_KEEP_ALIVE_MS, run.ctx.config.server.writeTimeoutMs / 2));
}

/** Reads one round from the provider, yielding what the client should see. */
async function* relayRound(run: AgentRun, call: UpstreamCall, round: RoundAssembler): AsyncGenerator<Uint8Array> {
  const upstream = relaySse(call, { gapTimeoutMs: run.ctx.timeouts.timeoutMs, ensureDone: false, errorEvent: false });
  for await (const data of sseDataEvents(upstream)) {
    const out = round.feed(data);
    if (out === undefined) continue;
    if (run.rec) run.rec.ttftMs ??= performance.now() - run.rec.startedAt;
    yield event(out);
  }
  noteRound(run, call);
}

/**
 * Waits for `work`, sending keep-alive comments meanwhile: tools and the next round's first token can
 * take longer than SERVER_WRITE_TIMEOUT or a proxy's idle limit, and the stream must not look dead.
 */
async function* keptAlive<T>(work: Promise<T>, everyMs: number, out: { value?: T }): AsyncGenerator<Uint8Array> {
  let settled = false;
  const done = work.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, everyMs)))]);
    clearTimeout(timer);
    if (!settled) yield KEEP_ALIVE;
  }
  out.value = await work;
}

/** Every round of one chat as one client stream. */
async function* streamRounds(run: AgentRun, first: UpstreamCall, ending: Ending): AsyncGenerator<Uint8Array> {
  const usage = new UsageSum();
  const wantsUsage = run.body.stream_options?.include_usage === true;
  let call = first;
  try {
    for (let n = 1; ; n++) {
      const round = new RoundAssembler(run.scope.tools, usage);
      yield* relayRound(run, call, round);
      if (run.signal.aborted) {
        ending.error = CLIENT_GONE;
        return;
      }
      // The provider's error event already went to the client; nothing may follow it.
      if (round.upstreamError) {
        ending.error = 'upstream error event';
        return;
      }
      const { mcp, client } = splitCalls(round.calls(), run.scope.tools);
      if (mcp.length > 0 && client.length === 0 && n < run.maxIterations) {
        const next: { value?: UpstreamCall } = {};
        const work = continueWithTools(run, round.content, mcp).then(() => callModel(run));
        yield* keptAlive(work, keepAliveMs(run), next);
        call = next.value!;
        continue;
      }
      if (mcp.length > 0 && client.length === 0) {
        run.ctx.logger.warn('mcp agent loop stopped at its limit', { rounds: n });
        yield event(round.chunk({ choices: [{ index: 0, delta: {}, finish_reason: LIMIT_FINISH_REASON }] }));
      }
      const total = usage.value();
      if (wantsUsage && total) yield event(round.chunk({ choices: [], usage: total }));
      yield DONE;
      return;
    }
  } catch (err) {
    if (run.signal.aborted) {
      ending.error = CLIENT_GONE;
      return;
    }
    ending.error = describe(err);
    yield sseErrorEvent(ending.error);
  } finally {
    usage.record(run.rec);
  }
}

/** Ends the request's record once the stream is over (the response was handed over long before). */
function finishRecord(run: AgentRun, ending: Ending): void {
  const rec = run.rec;
  if (!rec) return;
  if (ending.error === CLIENT_GONE) rec.status = 499;
  else if (ending.error) rec.error = ending.error;
  run.ctx.telemetry.finish(rec);
}

/** Opens the first round (so its failures keep their HTTP status), then streams every round. */
export async function runStreamLoop(run: AgentRun, abort: () => void): Promise<Response> {
  const first = await callModel(run);
  const status = first.response.status;
  if (!(first.response.headers.get('content-type')?.includes('text/event-stream') ?? false)) {
    // The provider answered a stream request with plain JSON: pass it on as it is.
    const { text } = await readJsonAnswer(run.ctx, run.provider, first);
    noteRound(run, first);
    return new Response(text, { status, headers: { 'content-type': 'application/json' } });
  }
  if (run.rec) Object.assign(run.rec, { deferred: true, status });
  const ending: Ending = {};
  const chunks = streamRounds(run, first, ending);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (!done) return controller.enqueue(value);
        finishRecord(run, ending);
        controller.close();
      },
      cancel() {
        ending.error = CLIENT_GONE;
        abort();
        void chunks.return(undefined).finally(() => finishRecord(run, ending));
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status, headers: withRequestId(run.rec, SSE_HEADERS) });
}
