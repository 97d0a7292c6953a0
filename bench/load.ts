/**
 * The load generator: wrk when it is on the machine (or can be installed from Debian), autocannon
 * (an npm dev dependency) otherwise. Every run is bounded by its duration plus a kill deadline.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadSpec {
  port: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
}

const ROOT = join(import.meta.dir, '..');
const scratch = join(import.meta.dir, '.work');

async function run(cmd: string[], deadlineMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), deadlineMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Finds wrk; when asked, tries Debian's package once (root only), bounded in time. */
export async function pickTool(opts: { install: boolean; force?: LoadTool }): Promise<LoadTool> {
  if (opts.force === 'autocannon') return 'autocannon';
  if (Bun.which('wrk')) return 'wrk';
  if (opts.install && Bun.which('apt-get') && process.getuid?.() === 0) {
    process.stderr.write('bench: wrk not found, installing it with apt-get (use --no-install to skip)\n');
    let res = await run(['apt-get', 'install', '-y', '-qq', 'wrk'], 120_000);
    if (res.code !== 0) {
      await run(['apt-get', 'update', '-qq'], 120_000);
      res = await run(['apt-get', 'install', '-y', '-qq', 'wrk'], 120_000);
    }
    if (Bun.which('wrk')) return 'wrk';
  }
  if (opts.force === 'wrk') throw new Error('wrk was asked for but is not available');
  return 'autocannon';
}

/** Lua for wrk: the request, and one JSON line with the figures at the end. */
function wrkScript(spec: LoadSpec): string {
  // Lua long strings need no escaping; the spaces keep `[ [==[` from reading as `[[`.
  const long = (s: string) => `[==[${s}]==]`;
  const headers = Object.entries(spec.headers)
    .map(([k, v]) => `wrk.headers[ ${long(k)} ] = ${long(v)}`)
    .join('\n');
  return `wrk.method = "${spec.method}"
${spec.body === undefined ? '' : `wrk.body = ${long(spec.body)}`}
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;
}

async function runWrk(spec: LoadSpec, pin: string[]): Promise<LoadResult> {
  mkdirSync(scratch, { recursive: true });
  const script = join(scratch, `load-${spec.port}.lua`);
  writeFileSync(script, wrkScript(spec));
  const url = `http://127.0.0.1:${spec.port}${spec.path}`;
  const cmd = [...pin, 'wrk', '-t1', `-c${spec.connections}`, `-d${spec.durationSec}s`, '--timeout', '10s', '-s', script, url];
  const res = await run(cmd, (spec.durationSec + 20) * 1000).finally(() => rmSync(script, { force: true }));
  const line = res.stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk gave no result (exit ${res.code}): ${res.stderr.slice(0, 300)}`);
  const r = JSON.parse(line) as { requests: number; duration_us: number; errors: number; non2xx: number; p50_us: number; p99_us: number };
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50Ms: r.p50_us / 1000,
    p99Ms: r.p99_us / 1000,
    requests: r.requests,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

async function runAutocannon(spec: LoadSpec, pin: string[]): Promise<LoadResult> {
  const bin = join(import.meta.dir, 'node_modules', 'autocannon', 'autocannon.js');
  const cmd = [...pin, 'node', bin, '--json', '-c', String(spec.connections), '-d', String(spec.durationSec), '-t', '10', '-m', spec.method];
  for (const [k, v] of Object.entries(spec.headers)) cmd.push('-H', `${k}=${v}`);
  if (spec.body !== undefined) cmd.push('-b', spec.body);
  cmd.push(`http://127.0.0.1:${spec.port}${spec.path}`);
  const res = await run(cmd, (spec.durationSec + 20) * 1000);
  const start = res.stdout.indexOf('{');
  if (start < 0) throw new Error(`autocannon gave no result (exit ${res.code}): ${res.stderr.slice(0, 300)}`);
  const r = JSON.parse(res.stdout.slice(start)) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return {
    rps: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** Runs one bounded load; `pin` prefixes the command (e.g. `taskset -c 0`). */
export function runLoad(tool: LoadTool, spec: LoadSpec, pin: string[]): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(spec, pin) : runAutocannon(spec, pin);
}
