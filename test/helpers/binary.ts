/** Builds the single executable once per test run (again when a source is newer) and runs it. */
import { existsSync, statSync } from 'node:fs';
import type { Subprocess } from 'bun';

const ROOT = `${import.meta.dir}/../..`;
export const BINARY = `${ROOT}/dist/inference-gateway`;

let built: Promise<void> | undefined;

/** The newest modification time among the files that go into the binary. */
function newestSource(): number {
  let newest = 0;
  for (const path of new Bun.Glob('{src/**/*.ts,build.ts,scripts/bytecode-order.ts,package.json,openapi.yaml}').scanSync({ cwd: ROOT })) {
    newest = Math.max(newest, statSync(`${ROOT}/${path}`).mtimeMs);
  }
  return newest;
}

/** Makes sure dist/inference-gateway exists and is newer than its sources, building it with build.ts if not. */
export function ensureBinary(): Promise<void> {
  built ??= (async () => {
    const fresh = existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestSource();
    if (fresh && process.env.REBUILD_BINARY !== '1') return;
    const proc = Bun.spawn([process.execPath, 'run', 'build.ts'], { cwd: ROOT, stdout: 'ignore', stderr: 'inherit' });
    if ((await proc.exited) !== 0) throw new Error('build.ts failed');
  })();
  return built;
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port ?? 0;
  s.stop(true);
  return port;
}

/** Polls a URL until it answers 200 or the time is up. */
export async function waitForOk(url: string, timeoutMs = 5000, init?: BunFetchRequestInit): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, init);
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not up yet
    }
    await Bun.sleep(10);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** A started binary: its process, address and output. */
export interface RunningBinary {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  port: number;
  /** `http://127.0.0.1:PORT` (https with TLS). */
  url: string;
  /** Everything written to stdout so far, as parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the exit code; the output has been read to its end by then. */
  exited: Promise<number>;
}

function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = '';
  const decoder = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

/**
 * Starts the binary on a free loopback port with only `env` (no Bun, no project files on its path),
 * and waits until /health answers.
 */
export async function startBinary(env: Record<string, string>, opts: { tlsCa?: string } = {}): Promise<RunningBinary> {
  await ensureBinary();
  const port = freePort();
  const proc = Bun.spawn([BINARY], {
    env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), OLLAMA_API_URL: 'http://127.0.0.1:9/v1', PATH: '/usr/bin:/bin', ...env },
    cwd: '/',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const out = collect(proc.stdout);
  const err = collect(proc.stderr);
  const url = `${opts.tlsCa ? 'https' : 'http'}://127.0.0.1:${port}`;
  const exited = Promise.all([proc.exited, out.done, err.done]).then(([code]) => code);
  await Promise.race([
    waitForOk(`${url}/health`, 10_000, opts.tlsCa ? { tls: { ca: opts.tlsCa } } : undefined),
    exited.then((code) => {
      throw new Error(`binary exited with ${code} before answering: ${err.text()}`);
    }),
  ]);
  const logs = () =>
    out
      .text()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { proc, port, url, logs, stderr: err.text, exited };
}
