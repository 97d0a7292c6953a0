/**
 * What the benchmark runs against: the mock upstream directly, our gateway from source and as the
 * compiled binary (with defaults, and with MCP, auth and telemetry on: `features`), and Portkey's
 * open-source gateway under node. Each is a child process on its own CPU (when the machine has two),
 * started fresh for every run.
 */
import type { Subprocess } from 'bun';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TargetName = 'direct' | 'bare' | 'source' | 'binary' | 'features' | 'portkey';
export const TARGET_NAMES: readonly TargetName[] = ['direct', 'bare', 'source', 'binary', 'features', 'portkey'];

export const ROOT = join(import.meta.dir, '..');
export const BUN = process.execPath;
export const BINARY = join(ROOT, 'dist', 'inference-gateway');
const PORTKEY_MAIN = join(import.meta.dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
/** Scratch space (git-ignored): child logs, smoke results, profiles. */
export const WORK = join(import.meta.dir, '.work');

export const LABELS: Record<TargetName, string> = {
  direct: 'upstream directly',
  bare: 'bare Bun pass-through (floor)',
  source: 'gateway (bun run src/main.ts)',
  binary: 'gateway (compiled binary)',
  features: 'binary with MCP, auth, telemetry',
  portkey: 'Portkey gateway (node)',
};

/** How to talk to a target: where, and what a chat request looks like there. */
export interface Endpoint {
  port: number;
  healthPath: string;
  headers: Record<string, string>;
  /** The model name as this target wants it, for a given upstream model. */
  model(upstreamModel: string): string;
}

export interface RunningTarget extends Endpoint {
  name: TargetName;
  pid: number;
  /** Spawn to first 200 from the health path. */
  coldStartMs: number;
  /** How the process ended, when it did (null while it runs). */
  exitStatus(): string | null;
  stop(): Promise<void>;
}

const children = new Set<Subprocess>();

/** Kills every child still running (on exit, or when a run is interrupted). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port ?? 0;
  s.stop(true);
  return port;
}

/** Where a child's stderr goes: a file, so a chatty child can never block on a full pipe. */
export function logPath(name: string): string {
  mkdirSync(WORK, { recursive: true });
  return join(WORK, `${name}.stderr.log`);
}

/** Spawns a child that the runner tracks and kills on exit. */
export function spawnTracked(cmd: string[], env: Record<string, string | undefined>, log: string, stdout: 'pipe' | 'ignore' = 'ignore') {
  const proc = Bun.spawn(cmd, { cwd: ROOT, env, stdin: 'ignore', stdout, stderr: Bun.file(logPath(log)) });
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  return proc;
}

/**
 * Spawns a helper service (mock upstream, issuer, MCP server) that prints one JSON line once it listens,
 * and returns that line parsed, with its pid.
 */
export async function startService<T>(cmd: string[], log: string): Promise<{ info: T; pid: number }> {
  const proc = spawnTracked(cmd, { PATH: process.env.PATH, HOME: process.env.HOME }, log, 'pipe');
  if (!(proc.stdout instanceof ReadableStream)) throw new Error(`${log} has no stdout`);
  const reader = proc.stdout.getReader();
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  let text = '';
  try {
    while (!text.includes('\n')) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`${log} did not start (see bench/.work/${log}.stderr.log)`);
      text += new TextDecoder().decode(value);
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return { info: JSON.parse(text.split('\n')[0] ?? '{}') as T, pid: proc.pid };
}

/** Polls until the URL answers 200; returns the time since `since`. */
async function waitForOk(url: string, since: number, proc: Subprocess, timeoutMs: number): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null) throw new Error(`${url}: process exited with ${proc.exitCode}`);
    if (performance.now() - since > timeoutMs) throw new Error(`${url}: no 200 within ${timeoutMs} ms`);
    await Bun.sleep(1);
  }
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export const CLOCK_TICKS = Number(Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100;

/** CPU time (user + system, all threads) a process has used so far, in ms. */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

export interface StartOptions {
  mockPort: number;
  /** Command prefix that pins the target to its CPU (e.g. `taskset -c 1`), or nothing. */
  pin: string[];
  /** Extra arguments before the entry (e.g. Bun's profiler flags); source only. */
  bunFlags?: string[];
  /** Entry of the source target (default src/main.ts): lets a variant copy of src/ be measured. */
  entry?: string;
  /** The executable of the binary target (default dist/inference-gateway). */
  binary?: string;
  env?: Record<string, string>;
  /** Extra headers on every probe and load request (e.g. the bearer token of the features target). */
  headers?: Record<string, string>;
}

/** The environment of a gateway (or bare pass-through) under test, pointed at the mock. */
export function gatewayEnv(port: number, mockPort: number, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    OPENAI_API_URL: `http://127.0.0.1:${mockPort}/v1`,
    OPENAI_API_KEY: 'sk-bench-not-a-real-key',
    ...extra,
  };
}

function commandFor(name: TargetName, port: number, opts: StartOptions): { cmd: string[]; env: Record<string, string | undefined> } {
  switch (name) {
    case 'source':
      return {
        cmd: [...opts.pin, BUN, ...(opts.bunFlags ?? []), 'run', opts.entry ?? 'src/main.ts'],
        env: gatewayEnv(port, opts.mockPort, opts.env),
      };
    case 'binary':
    case 'features':
      // features: the same executable; its settings (MCP, auth, telemetry) arrive in opts.env.
      return { cmd: [...opts.pin, opts.binary ?? BINARY], env: gatewayEnv(port, opts.mockPort, opts.env) };
    case 'bare':
      return { cmd: [...opts.pin, BUN, 'run', join(import.meta.dir, 'bare-proxy.ts')], env: gatewayEnv(port, opts.mockPort) };
    case 'portkey':
      // --headless: no log UI; production: no dev-only routes.
      return {
        cmd: [...opts.pin, 'node', PORTKEY_MAIN, `--port=${port}`, '--headless'],
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
      };
    case 'direct':
      throw new Error('direct has no process of its own');
  }
}

/** Whether a target can run on this machine, or why not. */
export function unavailable(name: TargetName, binary = BINARY): string | undefined {
  if ((name === 'binary' || name === 'features') && !existsSync(binary)) return 'no compiled binary (build failed)';
  if (name === 'portkey' && (!existsSync(PORTKEY_MAIN) || !Bun.which('node'))) return '@portkey-ai/gateway or node missing';
  return undefined;
}

/** The mock itself, seen as a target (the physical limit). */
export function directTarget(mockPort: number, mockPid: number): RunningTarget {
  return {
    name: 'direct',
    port: mockPort,
    pid: mockPid,
    coldStartMs: Number.NaN,
    healthPath: '/health',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-not-a-real-key' },
    model: (m) => m,
    exitStatus: () => null,
    stop: async () => undefined,
  };
}

/** Starts a gateway target and waits for its first 200. */
export async function startTarget(name: TargetName, opts: StartOptions): Promise<RunningTarget> {
  const port = freePort();
  const { cmd, env } = commandFor(name, port, opts);
  const healthPath = name === 'portkey' ? '/' : '/health';
  const started = performance.now();
  const proc = spawnTracked(cmd, env, name);
  let coldStartMs: number;
  try {
    coldStartMs = await waitForOk(`http://127.0.0.1:${port}${healthPath}`, started, proc, 15_000);
  } catch (err) {
    proc.kill('SIGKILL');
    const stderr = existsSync(logPath(name)) ? readFileSync(logPath(name), 'utf8') : '';
    throw new Error(`${name} did not start: ${(err as Error).message} ${stderr.slice(0, 400)}`);
  }
  const headers: Record<string, string> =
    name === 'portkey'
      ? {
          'content-type': 'application/json',
          authorization: 'Bearer sk-bench-not-a-real-key',
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `http://127.0.0.1:${opts.mockPort}/v1`,
        }
      : { 'content-type': 'application/json', ...opts.headers };
  return {
    name,
    port,
    pid: proc.pid,
    coldStartMs,
    healthPath,
    headers,
    model: (m) => (name === 'portkey' ? m : `openai/${m}`),
    exitStatus: () => (proc.exitCode === null && proc.signalCode === null ? null : `exit ${proc.exitCode ?? proc.signalCode}`),
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}
