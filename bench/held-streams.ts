/**
 * Held streams (issue 21): N concurrent streamed chats (default 10,000), each C chunks D ms apart (default
 * 200 × 20 ms, a real model's pace), held open at once through a target pinned to ONE core. Targets, one
 * after the other, each with a fresh mock upstream: the mock directly (the reference for first-chunk
 * latency), the gateway from source, the compiled binary (only when dist/inference-gateway is newer than
 * src/) and the bare Bun pass-through (the floor for CPU per chunk). Loopback only; every load bounded in
 * count and time; every process started here is killed at the end.
 *   bun run bench/held-streams.ts [--streams=10000] [--chunks=200] [--delay-ms=20] [--smoke]
 *     [--only=direct,source,binary,bare] [--ramp=20] [--ramp-ms=1] [--fetch-cap=65535|default]
 *     [--env=NAME=VALUE]... [--timeout-s=S] [--quiet-wait=120] [--quiet-pct=25] [--out=FILE]
 * --smoke: 500 streams × 20 chunks, written to bench/.work/RESULTS.held-streams.smoke.md.
 * Full runs write the "held-streams" section of bench/RESULTS.md.
 *
 * The load client is this file again (`--client`), a separate process on the other core: raw HTTP/1.1 over
 * Bun.connect (one connection per stream, chunked decoding, every event counted), because it has to read
 * ~500k events/s next to the mock on one core.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIfExists, withSection } from './results-section.ts';
import type { Subprocess } from 'bun';
import { BINARY, BUN, CLOCK_TICKS, cpuTimeMs, freePort, gatewayEnv, killAll, memoryOf, ROOT, spawnTracked, startService, WORK } from './targets.ts';

const argv = process.argv.slice(2);
const str = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string, fallback: number): number => {
  const raw = str(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`);
  return value;
};
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------------------
// The load client (a child process): opens N streams in a bounded ramp, reads every byte, records per stream.
// ---------------------------------------------------------------------------------------------------------

interface StreamRecord {
  t0: number;
  /** First decoded body byte, ms since t0 (NaN until it comes). */
  firstMs: number;
  /** Whole stream, ms since t0. */
  endMs: number;
  status: number;
  events: number;
  errorEvent: boolean;
  done: boolean;
  error: string | undefined;
  finished: boolean;
}

export interface ClientSummary {
  streams: number;
  expectedEvents: number;
  ok: number;
  withDone: number;
  errors: Record<string, number>;
  firstMs: number[];
  endMs: number[];
  startedAt: number;
  allStartedAt: number;
  /** When the last stream got its first byte: from then on all N were open (if none had ended yet). */
  allFirstAt: number;
  firstEndAt: number;
  endedAt: number;
  /** [abs ms, open (started, not ended), ended] every 50 ms. */
  timeline: [number, number, number][];
  maxOpen: number;
  /** Events read in all, and the client's own CPU time (ms). */
  eventsRead: number;
  clientCpuMs: number;
  /** The client's threads runnable but waiting for a CPU, since the load started (ms). */
  clientWaitMs: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const EVENT_END = Buffer.from('\n\n');
const ERROR_MARK = Buffer.from('"error"');
const DONE_TAIL = 'data: [DONE]\n\n';

/** Reads one HTTP/1.1 response (chunked or with a length) and counts its SSE events. */
class ResponseReader {
  private head: Buffer | undefined = Buffer.alloc(0);
  private chunked = false;
  private left = 0; // bytes left of the current chunk (chunked) or of the body (content-length)
  private state: 'size' | 'data' | 'crlf' | 'length' = 'size';
  private sizeLine = '';
  private crlfLeft = 0;
  private lastNl = false;
  private tail = '';
  private errorBody = '';
  complete = false;

  constructor(private readonly r: StreamRecord) {}

  feed(buf: Buffer): void {
    let pos = 0;
    if (this.head !== undefined) {
      const joined = this.head.length ? Buffer.concat([this.head, buf]) : buf;
      const end = joined.indexOf(CRLF2);
      if (end < 0) {
        this.head = joined;
        return;
      }
      const head = joined.subarray(0, end).toString('latin1').toLowerCase();
      this.head = undefined;
      this.r.status = Number(head.slice(9, 12));
      this.chunked = /\r\ntransfer-encoding:\s*chunked/.test(head);
      if (!this.chunked) {
        this.state = 'length';
        this.left = Number(/\r\ncontent-length:\s*(\d+)/.exec(head)?.[1] ?? 0);
        if (this.left === 0) this.complete = true;
      }
      buf = joined;
      pos = end + 4;
    }
    while (pos < buf.length && !this.complete) {
      if (this.state === 'length') {
        const n = Math.min(this.left, buf.length - pos);
        this.payload(buf.subarray(pos, pos + n));
        pos += n;
        this.left -= n;
        if (this.left === 0) this.complete = true;
      } else if (this.state === 'size') {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) {
          this.sizeLine += buf.subarray(pos).toString('latin1');
          return;
        }
        const line = this.sizeLine + buf.subarray(pos, nl).toString('latin1');
        this.sizeLine = '';
        pos = nl + 1;
        const size = Number.parseInt(line.trim().split(';')[0] ?? '', 16);
        if (!Number.isFinite(size)) throw new Error(`bad chunk size line ${JSON.stringify(line.slice(0, 20))}`);
        if (size === 0) {
          this.complete = true; // trailers, if any, are not waited for
          return;
        }
        this.left = size;
        this.state = 'data';
      } else if (this.state === 'data') {
        const n = Math.min(this.left, buf.length - pos);
        this.payload(buf.subarray(pos, pos + n));
        pos += n;
        this.left -= n;
        if (this.left === 0) {
          this.state = 'crlf';
          this.crlfLeft = 2;
        }
      } else {
        const n = Math.min(this.crlfLeft, buf.length - pos);
        pos += n;
        this.crlfLeft -= n;
        if (this.crlfLeft === 0) this.state = 'size';
      }
    }
  }

  private payload(p: Buffer): void {
    if (p.length === 0) return;
    const r = this.r;
    if (Number.isNaN(r.firstMs)) r.firstMs = performance.now() - r.t0;
    if (r.status !== 200) {
      if (this.errorBody.length < 200) this.errorBody += p.toString('utf8');
      return;
    }
    if (this.lastNl && p[0] === 10) r.events++;
    for (let i = p.indexOf(EVENT_END); i >= 0; i = p.indexOf(EVENT_END, i + 2)) r.events++;
    this.lastNl = p[p.length - 1] === 10;
    if (!r.errorEvent && p.indexOf(ERROR_MARK) >= 0) r.errorEvent = true;
    const text = p.length >= 16 ? p.subarray(p.length - 16).toString('latin1') : this.tail + p.toString('latin1');
    this.tail = text.slice(-16);
  }

  /** The outcome once the body ended. */
  verdict(expectedEvents: number): string | undefined {
    const r = this.r;
    r.done = this.tail.endsWith(DONE_TAIL);
    if (r.status !== 200) return `HTTP ${r.status}: ${this.errorBody.slice(0, 120).replace(/\s+/g, ' ')}`;
    if (r.errorEvent) return 'error event in the stream';
    if (!r.done) return 'ended without [DONE]';
    if (r.events !== expectedEvents) return `${r.events} events instead of ${expectedEvents}`;
    return undefined;
  }
}

async function runClient(): Promise<void> {
  const port = num('port', 0);
  const model = str('model') ?? 'gpt-4o-mini-paced';
  const n = num('streams', 100);
  const chunks = num('chunks', 200);
  const rampStep = Math.max(1, num('ramp', 200));
  const rampMs = Math.max(1, num('ramp-ms', 10));
  const timeoutS = num('timeout-s', 120);
  const expectedEvents = chunks + 3; // role, C content chunks, finish, [DONE]
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true });
  const request = Buffer.from(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer sk-bench-not-a-real-key\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

  const records: StreamRecord[] = [];
  const sockets = new Set<{ end(): void; terminate(): void }>();
  let open = 0;
  let ended = 0;
  let maxOpen = 0;
  let firstEndAt = Number.NaN;
  let allFirstAt = Number.NaN;
  let firsts = 0;
  const errors: Record<string, number> = {};
  const startedAt = now();
  const clientWait0 = runQueueWaitMs(process.pid);
  let allStartedAt = Number.NaN;
  const timeline: [number, number, number][] = [];
  let resolveAll: () => void = () => undefined;
  const allEnded = new Promise<void>((resolve) => (resolveAll = resolve));

  const finish = (r: StreamRecord, error: string | undefined) => {
    if (r.finished) return;
    r.finished = true;
    r.endMs = performance.now() - r.t0;
    r.error = error;
    if (error !== undefined) errors[error] = (errors[error] ?? 0) + 1;
    open--;
    ended++;
    if (Number.isNaN(firstEndAt)) firstEndAt = now();
    if (ended === n) resolveAll();
  };

  const start = (i: number) => {
    const r: StreamRecord = { t0: performance.now(), firstMs: Number.NaN, endMs: Number.NaN, status: 0, events: 0, errorEvent: false, done: false, error: undefined, finished: false };
    records[i] = r;
    open++;
    if (open > maxOpen) maxOpen = open;
    const reader = new ResponseReader(r);
    let pending: Buffer | undefined;
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(s) {
          sockets.add(s);
          s.setNoDelay(true);
          const written = s.write(request);
          if (written < request.length) pending = request.subarray(Math.max(0, written));
        },
        drain(s) {
          if (!pending) return;
          const written = s.write(pending);
          pending = written < pending.length ? pending.subarray(Math.max(0, written)) : undefined;
        },
        data(s, data) {
          if (r.finished) return;
          const hadFirst = !Number.isNaN(r.firstMs);
          try {
            reader.feed(data);
          } catch (err) {
            finish(r, (err as Error).message);
            s.terminate();
            return;
          }
          if (!hadFirst && !Number.isNaN(r.firstMs) && ++firsts === n) allFirstAt = now();
          if (reader.complete) {
            finish(r, reader.verdict(expectedEvents));
            sockets.delete(s);
            s.end();
          }
        },
        close(s) {
          sockets.delete(s);
          finish(r, 'connection closed before the end');
        },
        error(_s, err) {
          finish(r, `socket: ${err.message}`);
        },
        connectError(_s, err) {
          finish(r, `connect: ${err.message}`);
        },
      },
    }).catch((err: Error) => finish(r, `connect: ${err.message}`));
  };

  // The ramp keeps its rate when a tick comes late (a busy core): each tick opens what is due by then.
  let next = 0;
  const rampStart = performance.now();
  const ramp = setInterval(() => {
    const due = Math.min(n, Math.ceil(((performance.now() - rampStart) / rampMs + 1) * rampStep));
    while (next < due) start(next++);
    if (next >= n) {
      clearInterval(ramp);
      allStartedAt = now();
    }
  }, rampMs);
  const sampler = setInterval(() => timeline.push([now(), open, ended]), 50);
  const deadline = setTimeout(() => {
    clearInterval(ramp);
    for (let i = 0; i < n; i++) {
      const r = records[i];
      if (r === undefined) errors['not started before the deadline'] = (errors['not started before the deadline'] ?? 0) + 1;
      else finish(r, `no end within ${timeoutS} s`);
    }
    for (const s of sockets) s.terminate();
    resolveAll();
  }, timeoutS * 1000);
  await allEnded;
  clearTimeout(deadline);
  clearInterval(sampler);
  timeline.push([now(), open, ended]);
  const done = records.filter((r) => r !== undefined);
  const summary: ClientSummary = {
    streams: n,
    expectedEvents,
    ok: done.filter((r) => r.finished && r.error === undefined).length,
    withDone: done.filter((r) => r.done).length,
    errors,
    firstMs: done.map((r) => r.firstMs).filter((v) => !Number.isNaN(v)),
    endMs: done.filter((r) => r.error === undefined).map((r) => r.endMs),
    startedAt,
    allStartedAt,
    allFirstAt,
    firstEndAt,
    endedAt: now(),
    timeline,
    maxOpen,
    eventsRead: done.reduce((sum, r) => sum + r.events, 0),
    clientCpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    clientWaitMs: runQueueWaitMs(process.pid) - clientWait0,
  };
  const out = str('summary');
  if (out) writeFileSync(out, JSON.stringify(summary));
  else await Bun.write(Bun.stdout, `${JSON.stringify(summary)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// The runner.
// ---------------------------------------------------------------------------------------------------------

type HeldTarget = 'direct' | 'source' | 'binary' | 'bare';
const ALL: readonly HeldTarget[] = ['direct', 'source', 'binary', 'bare'];
const LABEL: Record<HeldTarget, string> = {
  direct: 'upstream directly',
  source: 'gateway (bun run src/main.ts)',
  binary: 'gateway (compiled binary)',
  bare: 'bare Bun pass-through (floor)',
};

interface Measured {
  name: HeldTarget;
  client: ClientSummary;
  idleRssMb: number;
  midRssMb: number;
  midNote: string;
  peakRssMb: number;
  cpuMs: number;
  mockCpuMs: number;
  loadWallMs: number;
  /** Busy time on CPU 0 and CPU 1 from processes not in this benchmark, % of the load's wall time. */
  othersPct: number[];
  /** How busy the machine was just before the load, and how long the runner waited for it to calm down. */
  quiet: string;
  /** Most open file descriptors seen in the target during the load (sampled every 500 ms). */
  maxFds: number;
  /** Time the target's and the mock's threads were runnable but not running during the load (ms). */
  targetWaitMs: number;
  mockWaitMs: number;
  /** Failures as the proxy's own log tells them (filled in once it has stopped). */
  logNote: string;
  fileLimit: string;
  listenDrops: number;
  exit: string | null;
}

const log = (msg: string) => process.stderr.write(`held-streams: ${msg}\n`);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Time a process's threads spent runnable but waiting for a CPU so far (ms), from /proc/<pid>/task/<tid>/schedstat. */
function runQueueWaitMs(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1] ?? 0);
      } catch {
        // thread gone
      }
    }
  } catch {
    return Number.NaN;
  }
  return ns / 1e6;
}

/** Busy time of each CPU so far (ms), from /proc/stat. */
function coreBusyMs(): number[] {
  const ticksMs = 1000 / CLOCK_TICKS;
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const [, user, nice, system, , , irq, softirq, steal] = l.split(/\s+/).slice(0, 9).map(Number);
      return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * ticksMs;
    });
}

/**
 * Waits (at most `maxS` seconds) until neither CPU is more than `pct`% busy over a second: other work on a
 * shared machine moves every figure here. Says how it went.
 */
async function waitForQuiet(maxS: number, pct: number): Promise<string> {
  const began = performance.now();
  let busy: number[] = [];
  for (;;) {
    const a = coreBusyMs();
    const t = performance.now();
    await Bun.sleep(1000);
    const b = coreBusyMs();
    busy = b.map((v, i) => ((v - (a[i] ?? 0)) / (performance.now() - t)) * 100);
    const waited = (performance.now() - began) / 1000;
    if (busy.every((v) => v <= pct)) return `${busy.map((v) => `${Math.round(v)}%`).join(' / ')} busy before the load${waited > 1.5 ? ` (after ${Math.round(waited)} s of waiting)` : ''}`;
    if (waited >= maxS) return `${busy.map((v) => `${Math.round(v)}%`).join(' / ')} busy before the load (not quiet after ${Math.round(waited)} s)`;
  }
}

/** TcpExt ListenDrops (SYNs or ACKs dropped at a full accept queue), machine-wide. */
function listenDrops(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('ListenDrops')] ?? Number.NaN);
}

function fileLimitOf(pid: number): string {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line?.replace('Max open files', '').trim().split(/\s+/) ?? [];
  return `${soft}/${hard}`;
}

/** The launcher prefix that raises the open-file limit of a benchmark process (never the gateway's defaults). */
function fileLimitPrefix(): { prefix: string[]; note: string } {
  const want = 65_536;
  if (Bun.which('prlimit') && Bun.spawnSync(['prlimit', `--nofile=${want}:${want}`, 'true']).exitCode === 0) {
    return { prefix: ['prlimit', `--nofile=${want}:${want}`], note: `prlimit --nofile=${want}:${want}` };
  }
  const hard = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'))?.trim().split(/\s+/)[4] ?? '';
  const prefix = Bun.which('prlimit') && hard ? ['prlimit', `--nofile=${hard}:${hard}`] : [];
  return {
    prefix,
    note: `${want} refused (no CAP_SYS_RESOURCE); soft raised to the hard limit ${hard} (${prefix.join(' ') || 'as inherited'})`,
  };
}

/** Newest modification time under a directory. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

interface Proxy {
  pid: number;
  port: number;
  exitStatus(): string | null;
  stop(): Promise<void>;
}

const proxies = new Set<Subprocess>();

/**
 * Starts a proxy target like bench/targets.ts does (same command and settings), but keeps its stdout (the
 * gateway's request log lines) in bench/.work/held-<name>.stdout.log: they say why a stream failed.
 */
async function startProxy(name: Exclude<HeldTarget, 'direct'>, mockPort: number, prefix: string[]): Promise<Proxy> {
  const port = freePort();
  // Bun.file() as a child's output does not truncate: a longer log of an earlier run would show through.
  for (const stream of ['stdout', 'stderr']) rmSync(join(WORK, `held-${name}.${stream}.log`), { force: true });
  const entry = name === 'bare' ? [BUN, 'run', join(import.meta.dir, 'bare-proxy.ts')] : name === 'source' ? [BUN, 'run', 'src/main.ts'] : [BINARY];
  const proc = Bun.spawn([...prefix, ...entry], {
    cwd: ROOT,
    env: gatewayEnv(port, mockPort),
    stdin: 'ignore',
    stdout: Bun.file(join(WORK, `held-${name}.stdout.log`)),
    stderr: Bun.file(join(WORK, `held-${name}.stderr.log`)),
  });
  proxies.add(proc);
  const exitStatus = () => (proc.exitCode === null && proc.signalCode === null ? null : `exit ${proc.exitCode ?? proc.signalCode}`);
  const since = performance.now();
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      async (r) => (await r.arrayBuffer(), r.status === 200),
      () => false,
    );
    if (ok) break;
    if (exitStatus() !== null || performance.now() - since > 15_000) {
      proc.kill('SIGKILL');
      throw new Error(`${name} did not start (${exitStatus() ?? 'no 200 from /health in 15 s'}; see bench/.work/held-${name}.stderr.log)`);
    }
    await Bun.sleep(5);
  }
  return {
    pid: proc.pid,
    port,
    exitStatus,
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(timer);
      proxies.delete(proc);
    },
  };
}

/** What a proxy's own log says about the load's failures: chat lines with a status ≥ 400 or an error code, and warnings. */
function logFailures(name: HeldTarget): string {
  const out = join(WORK, `held-${name}.stdout.log`);
  const err = join(WORK, `held-${name}.stderr.log`);
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const line of readIfExists(out).split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      if (rec.msg === 'request' && rec.route !== '/v1/chat/completions') continue;
      if (rec.msg === 'request' && Number(rec.status) < 400 && rec.error_code === undefined) continue;
      if (rec.msg !== 'request' && rec.level !== 'warn' && rec.level !== 'error') continue;
      const reason = typeof rec.reason === 'string' ? rec.reason.slice(0, 90) : '';
      add(rec.msg === 'request' ? `HTTP ${rec.status} ${rec.error_code ?? ''}${reason ? ` (${reason})` : ''}`.trim() : `${rec.level}: ${String(rec.msg).slice(0, 90)}`);
    } catch {
      // not a log line
    }
  }
  // Bun's own errors (bare-proxy.ts has no handler): the error code of each.
  for (const m of readIfExists(err).matchAll(/code: "([A-Z_]+)"/g)) add(`stderr: ${m[1]}`);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${int(v)} × ${k}`).join('; ');
}

function killProxies(): void {
  for (const proc of proxies) proc.kill('SIGKILL');
  proxies.clear();
}

async function warmUp(port: number, model: string, chunks: number): Promise<void> {
  // Unpaced streams (all chunks at once): the stream path compiled and checked before idle RSS is taken.
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true });
  for (let round = 0; round < 5; round++) {
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-not-a-real-key' },
          body,
        });
        const text = await res.text();
        const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).length;
        if (res.status !== 200 || !text.trimEnd().endsWith('data: [DONE]') || events !== chunks + 3) {
          throw new Error(`warm-up: HTTP ${res.status}, ${events} events: ${text.slice(0, 200)}`);
        }
      }),
    );
  }
}

async function measure(name: HeldTarget, o: RunOptions): Promise<Measured> {
  const mock = await startService<{ port: number }>(
    [...o.pinOther, ...o.limit, BUN, 'run', join(import.meta.dir, 'mock-upstream.ts'), '--port=0', `--chunks=${o.chunks}`, `--delay-ms=${o.delayMs}`],
    'held-mock',
  );
  let target: Proxy | undefined;
  try {
    let pid = mock.pid;
    let port = mock.info.port;
    let model = 'gpt-4o-mini';
    if (name !== 'direct') {
      target = await startProxy(name, mock.info.port, [...o.pinTarget, ...o.limit, ...o.envPrefix]);
      pid = target.pid;
      port = target.port;
      model = 'openai/gpt-4o-mini';
    }
    await warmUp(port, model, o.chunks);
    await Bun.sleep(1000);
    const quiet = await waitForQuiet(o.quietWaitS, o.quietPct);
    const idleRssMb = memoryOf(pid).rssMb;
    const fileLimit = fileLimitOf(pid);
    const samples: { t: number; rssMb: number }[] = [];
    const sampler = setInterval(() => {
      try {
        samples.push({ t: now(), rssMb: memoryOf(pid).rssMb });
      } catch {
        // the process is gone; the exit status says so
      }
    }, 50);
    let maxFds = 0;
    const fdSampler = setInterval(() => {
      try {
        maxFds = Math.max(maxFds, readdirSync(`/proc/${pid}/fd`).length);
      } catch {
        // gone
      }
    }, 500);
    const drops0 = listenDrops();
    const cpu0 = cpuTimeMs(pid);
    const t0 = performance.now();
    const lifeS = ((o.chunks + 2) * o.delayMs) / 1000;
    const timeoutS = o.timeoutS || Math.ceil(Math.max(180, lifeS * 45));
    const summaryFile = join(WORK, 'held-client.summary.json');
    rmSync(summaryFile, { force: true });
    const mockCpu0 = cpuTimeMs(mock.pid);
    const wait0 = [runQueueWaitMs(pid), runQueueWaitMs(mock.pid)];
    const cores0 = coreBusyMs();
    const client = spawnTracked(
      [
        ...o.pinOther,
        ...o.limit,
        BUN,
        'run',
        import.meta.path,
        '--client',
        `--port=${port}`,
        `--model=${model}-paced`,
        `--streams=${o.streams}`,
        `--chunks=${o.chunks}`,
        `--ramp=${o.rampStep}`,
        `--ramp-ms=${o.rampMs}`,
        `--timeout-s=${timeoutS}`,
        `--summary=${summaryFile}`,
      ],
      { PATH: process.env.PATH, HOME: process.env.HOME },
      'held-client',
    );
    const killer = setTimeout(() => client.kill('SIGKILL'), (timeoutS + 30) * 1000);
    await client.exited;
    clearTimeout(killer);
    const loadWallMs = performance.now() - t0;
    const cpuMs = cpuTimeMs(pid) - cpu0;
    const drops = listenDrops() - drops0;
    clearInterval(sampler);
    clearInterval(fdSampler);
    const peakRssMb = memoryOf(pid).peakMb;
    const cores = coreBusyMs().map((v, i) => v - (cores0[i] ?? 0));
    const mockCpuMs = cpuTimeMs(mock.pid) - mockCpu0;
    const waitMs = [runQueueWaitMs(pid) - (wait0[0] ?? 0), runQueueWaitMs(mock.pid) - (wait0[1] ?? 0)];
    if (!existsSync(summaryFile)) throw new Error(`${name}: the load client wrote no summary (exit ${client.exitCode}; see bench/.work/held-client.stderr.log)`);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as ClientSummary;
    writeFileSync(join(WORK, `held-${name}.samples.json`), JSON.stringify({ rss: samples, timeline: summary.timeline }));
    // RSS in the middle of the span during which all N streams were open at once (at least 99% of them:
    // a few early failures must not move the sample to the start of the load).
    const held = Math.ceil(summary.streams * 0.99);
    const allOpen = summary.timeline.filter(([, open]) => open >= held);
    let midRssMb: number;
    let midNote: string;
    const nearest = (t: number) => samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best), samples[0] ?? { t, rssMb: Number.NaN });
    if (allOpen.length > 0) {
      const mid = ((allOpen[0]?.[0] ?? 0) + (allOpen.at(-1)?.[0] ?? 0)) / 2;
      midRssMb = nearest(mid).rssMb;
      const at = summary.timeline.reduce((best, p) => (Math.abs(p[0] - mid) < Math.abs(best[0] - mid) ? p : best), allOpen[0] ?? [0, 0, 0]);
      midNote = `≥ 99% open for ${(((allOpen.at(-1)?.[0] ?? 0) - (allOpen[0]?.[0] ?? 0)) / 1000).toFixed(1)} s; sampled ${((mid - summary.startedAt) / 1000).toFixed(1)} s in, ${int(at[1])} open`;
    } else {
      const most = summary.timeline.reduce((a, b) => (b[1] > a[1] ? b : a), summary.timeline[0] ?? [0, 0, 0]);
      midRssMb = nearest(most[0]).rssMb;
      midNote = `never 99% open at once (at most ${int(summary.maxOpen)}), sampled at the most`;
    }
    // Work on each core that is none of ours: other processes on a shared machine.
    const ours0 = (name === 'direct' ? 0 : mockCpuMs) + summary.clientCpuMs + (name === 'direct' ? cpuMs : 0);
    const others = o.pinTarget.length ? [Math.max(0, (cores[0] ?? 0) - ours0), Math.max(0, (cores[1] ?? 0) - (name === 'direct' ? 0 : cpuMs))] : [];
    return {
      name,
      client: summary,
      idleRssMb,
      midRssMb,
      midNote,
      peakRssMb,
      cpuMs,
      mockCpuMs: name === 'direct' ? cpuMs : mockCpuMs,
      loadWallMs,
      othersPct: others.map((v) => (v / loadWallMs) * 100),
      fileLimit,
      listenDrops: drops,
      exit: target?.exitStatus() ?? null,
      quiet,
      maxFds,
      targetWaitMs: waitMs[0] ?? Number.NaN,
      mockWaitMs: name === 'direct' ? Number.NaN : (waitMs[1] ?? Number.NaN),
      logNote: '',
    };
  } finally {
    await target?.stop();
    Bun.spawnSync(['kill', '-TERM', String(mock.pid)]);
  }
}

interface RunOptions {
  streams: number;
  chunks: number;
  delayMs: number;
  rampStep: number;
  rampMs: number;
  timeoutS: number;
  quietWaitS: number;
  quietPct: number;
  pinTarget: string[];
  pinOther: string[];
  limit: string[];
  envPrefix: string[];
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const verdict = (pass: boolean) => (pass ? '**met**' : '**not met**');

function render(results: Measured[], o: RunOptions, meta: { command: string; limitNote: string; pinned: boolean; binaryNote: string; seconds: number; envNote: string }): string {
  const direct = results.find((r) => r.name === 'direct');
  const bare = results.find((r) => r.name === 'bare');
  const chunksPerStream = o.chunks + 2;
  const lifeS = (chunksPerStream * o.delayMs) / 1000;
  const perChunkUs = (r: Measured) => (r.cpuMs * 1000) / (r.client.streams * chunksPerStream);
  const directP99 = direct ? percentile(direct.client.firstMs, 99) : Number.NaN;
  const kbPerStream = (r: Measured) => ((r.midRssMb - r.idleRssMb) * 1024) / r.client.streams;
  const rows = results.map((r) => {
    const c = r.client;
    const p99 = percentile(c.firstMs, 99);
    const ratio = bare && r.name !== 'direct' && r.name !== 'bare' ? `${f2(perChunkUs(r) / perChunkUs(bare))}x` : '—';
    return `| ${LABEL[r.name]} | ${int(c.ok)} / ${int(c.streams)} | ${int(c.streams - c.ok)} | ${f2(percentile(c.firstMs, 50))} / ${f2(p99)} | ${r.name === 'direct' ? '—' : f2(p99 - directP99)} | ${f2(perChunkUs(r))} | ${ratio} | ${f1((r.cpuMs / r.loadWallMs) * 100)}% | ${f1(r.idleRssMb)} → ${f1(r.midRssMb)} MB | ${f1(kbPerStream(r))} | ${f1(r.peakRssMb)} MB |`;
  });
  const goals = results
    .filter((r) => r.name === 'source' || r.name === 'binary')
    .map((r) => {
      const c = r.client;
      const added = percentile(c.firstMs, 99) - directP99;
      const ratio = bare ? perChunkUs(r) / perChunkUs(bare) : Number.NaN;
      const kb = kbPerStream(r);
      return `| ${LABEL[r.name]} | ${int(c.ok)} / ${int(c.streams)}, ${int(c.streams - c.ok)} errors: ${verdict(c.ok === c.streams)} | ${f2(added)} ms: ${verdict(added < 5)} | ${f2(ratio)}x: ${verdict(ratio <= 1.3)} | ${f1(kb)} KB: ${verdict(kb < 64)} |`;
    });
  const errorLines = results
    .filter((r) => Object.keys(r.client.errors).length > 0 || r.exit !== null || r.logNote)
    .map((r) => {
      const top = Object.entries(r.client.errors)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5)
        .map(([e, k]) => `${int(k)} × ${e}`)
        .join('; ');
      return `- ${LABEL[r.name]}: ${top || 'no stream errors'}${r.exit ? ` (target ended: ${r.exit})` : ''}${r.logNote ? `. Its log: ${r.logNote}` : ''}`;
    });
  const details = results.map((r) => {
    const c = r.client;
    const others = r.othersPct.length ? `${f1(r.othersPct[0] ?? Number.NaN)}% / ${f1(r.othersPct[1] ?? Number.NaN)}%` : 'n/a';
    return `| ${LABEL[r.name]} | ${f1(percentile(c.endMs, 50) / 1000)} / ${f1(percentile(c.endMs, 99) / 1000)} s | ${f2((c.allStartedAt - c.startedAt) / 1000)} s | ${r.midNote} | ${f1(r.loadWallMs / 1000)} s | ${int(r.cpuMs)} ms (${int(r.targetWaitMs)} ms) | ${r.name === 'direct' ? '(the target)' : `${int(r.mockCpuMs)} ms (${int(r.mockWaitMs)} ms)`} | ${int(c.clientCpuMs)} ms (${int(c.clientWaitMs)} ms) | ${others} | ${r.quiet} | ${r.fileLimit}, ${int(r.maxFds)} | ${int(r.listenDrops)} |`;
  });
  return `## Held streams (issue 21)

Command: \`${meta.command}\` · ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${int(o.streams)} concurrent streamed chats, each ${o.chunks} content chunks + role + finish (${chunksPerStream} chunks, then \`[DONE]\`) ${o.delayMs} ms apart (${f2(lifeS)} s per stream on pace, ~${int((o.streams * chunksPerStream) / lifeS)} chunks/s in all) · opened ${o.rampStep} per ${o.rampMs} ms (${int((o.rampStep * 1000) / o.rampMs)}/s) · ${meta.pinned ? 'target on CPU 1 (\`taskset -c 1\`), mock upstream and load client on CPU 0' : 'not pinned (one CPU or no taskset)'} · open files: ${meta.limitNote}${meta.envNote} · ${meta.binaryNote} · ${Math.round(meta.seconds)} s in all.

| target | complete (\`[DONE]\`, all events) | errors | first chunk p50 / p99 (ms) | added p99 (ms) | CPU µs per chunk | vs bare | target CPU busy | RSS idle → all open | KB per held stream | peak RSS |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

Goals (gateway targets):

| target | all complete, 0 errors | added first-chunk p99 < 5 ms | CPU per chunk ≤ 1.3x bare | < 64 KB per held stream |
| --- | --- | --- | --- | --- |
${goals.join('\n') || '| (no gateway target measured) | | | | |'}

| target | stream length p50 / p99 (on pace: ${f2(lifeS)} s) | ramp took | RSS sample | load wall time | target CPU (waiting for a CPU) | mock CPU (waiting) | client CPU (waiting) | others' load CPU 0 / CPU 1 | CPU 0 / CPU 1 before the load | open files (soft/hard), most in use | listen drops |
| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |
${details.join('\n')}
${errorLines.length ? `\nErrors:\n${errorLines.join('\n')}\n` : ''}
First chunk: from the client's connect to the first decoded body byte; added p99 = the target's p99 − the mock's own p99 in the same run (the "upstream directly" row). Complete: HTTP 200, every event (${o.chunks + 3} with \`[DONE]\`), the last \`[DONE]\`, no error event. CPU per chunk: the target's user + system time (\`/proc/<pid>/stat\`, all threads) from the start of the load to its end, ÷ (streams × ${chunksPerStream}); "target CPU busy" is that time ÷ the load's wall time (100% = its one core saturated). RSS per held stream: (VmRSS in the middle of the span when at least 99% of the streams were open) − (VmRSS before the load, after a warm-up of 50 unpaced streams), ÷ streams; peak RSS is VmHWM. For "upstream directly" the target is the mock itself (on CPU 0, with the client). Waiting: time the process's threads were runnable but had no CPU (\`/proc/<pid>/task/*/schedstat\`): large values mean the core was oversubscribed. Others' load: busy time on each CPU (\`/proc/stat\`) not used by the benchmark's processes, ÷ wall time. Listen drops: machine-wide TcpExt ListenDrops during the load (a full accept queue; each costs the client a SYN retransmit, ≥ 1 s).
`;
}

async function main(): Promise<void> {
  const smoke = argv.includes('--smoke');
  const o: RunOptions = {
    streams: num('streams', smoke ? 500 : 10_000),
    chunks: num('chunks', smoke ? 20 : 200),
    delayMs: num('delay-ms', 20),
    rampStep: num('ramp', 20),
    rampMs: num('ramp-ms', 1),
    timeoutS: num('timeout-s', 0),
    quietWaitS: num('quiet-wait', smoke ? 0 : 120),
    quietPct: num('quiet-pct', 25),
    pinTarget: [],
    pinOther: [],
    limit: [],
    envPrefix: [],
  };
  const began = performance.now();
  const pinned = navigator.hardwareConcurrency >= 2 && Bun.which('taskset') !== null;
  if (pinned) {
    o.pinTarget = ['taskset', '-c', '1'];
    o.pinOther = ['taskset', '-c', '0'];
    // This runner only samples; it stays off the target's core too.
    Bun.spawnSync(['taskset', '-a', '-cp', '0', String(process.pid)]);
  }
  const limit = fileLimitPrefix();
  o.limit = limit.prefix;
  // Bun's fetch keeps at most BUN_CONFIG_MAX_HTTP_REQUESTS (default 256) requests in flight, a streamed
  // body included: beyond that, upstream calls wait for a slot. A runtime setting, like the file limit.
  const fetchCap = str('fetch-cap') ?? '65535';
  const envs = [
    ...(fetchCap === 'default' ? [] : [`BUN_CONFIG_MAX_HTTP_REQUESTS=${fetchCap}`]),
    ...argv.filter((a) => a.startsWith('--env=')).map((a) => a.slice('--env='.length)),
  ];
  if (envs.length) o.envPrefix = ['env', ...envs];
  const only = (str('only')?.split(',') ?? ALL) as HeldTarget[];
  let binaryNote = 'binary: not measured (--only)';
  const targets = ALL.filter((t) => only.includes(t)).filter((t) => {
    if (t !== 'binary') return true;
    if (!existsSync(BINARY)) {
      binaryNote = 'binary: skipped (no dist/inference-gateway)';
      return false;
    }
    const srcNewest = newestMtime(join(ROOT, 'src'));
    if (statSync(BINARY).mtimeMs < srcNewest) {
      binaryNote = `binary: skipped (dist/inference-gateway is older than src/, by ${Math.round((srcNewest - statSync(BINARY).mtimeMs) / 60_000)} min)`;
      return false;
    }
    binaryNote = 'binary: dist/inference-gateway (newer than src/)';
    return true;
  });
  log(`${o.streams} streams × ${o.chunks + 2} chunks, ${o.delayMs} ms apart; targets ${targets.join(', ')}; open files ${limit.note}`);
  const results: Measured[] = [];
  for (const name of targets) {
    log(`${name}…`);
    const r = await measure(name, o);
    if (name !== 'direct') r.logNote = logFailures(name);
    results.push(r);
    const c = r.client;
    log(
      `${name}: ${c.ok}/${c.streams} ok, first chunk p99 ${f2(percentile(c.firstMs, 99))} ms, CPU ${int(r.cpuMs)} ms (${f2((r.cpuMs * 1000) / (c.streams * (o.chunks + 2)))} µs/chunk, ${f1((r.cpuMs / r.loadWallMs) * 100)}% busy), RSS ${f1(r.idleRssMb)} → ${f1(r.midRssMb)} MB, client ${int(c.clientCpuMs)} ms CPU for ${int(c.eventsRead)} events, stream length p50 ${f2(percentile(c.endMs, 50) / 1000)} s, peak ${f1(r.peakRssMb)} MB${Object.keys(c.errors).length ? `, errors ${JSON.stringify(c.errors)}` : ''}`,
    );
    await Bun.sleep(1000);
  }
  const passthrough = argv.filter((a) => a !== '--smoke' && !a.startsWith('--out=')).join(' ');
  const command = `bun run bench/held-streams.ts${smoke ? ' --smoke' : ''}${passthrough ? ` ${passthrough}` : ''}`;
  const envNote = envs.length ? ` · proxy targets (bare and gateway alike) run with ${envs.map((e) => `\`${e}\``).join(', ')}` : " · Bun's default fetch cap (256 requests in flight)";
  const section = render(results, o, { command, limitNote: limit.note, pinned, binaryNote, seconds: (performance.now() - began) / 1000, envNote });
  const outFile = str('out') ?? (smoke ? join(WORK, 'RESULTS.held-streams.smoke.md') : join(ROOT, 'bench', 'RESULTS.md'));
  writeFileSync(outFile, withSection(readIfExists(outFile), 'held-streams', section));
  log(`wrote ${outFile}`);
  console.log(section);
  const failed = results.some((r) => r.client.ok !== r.client.streams);
  if (smoke && failed) process.exitCode = 1;
}

if (import.meta.main) {
  if (argv.includes('--client')) {
    await runClient();
  } else {
    process.on('exit', () => {
      killProxies();
      killAll();
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
    try {
      await main();
    } finally {
      killProxies();
      killAll();
    }
  }
}
