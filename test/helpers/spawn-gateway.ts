/** Runs `bun src/main.ts` as a real process (main.ts and serve() included), from this repo or a copy of it. */
import type { Subprocess } from 'bun';
import { freePort, waitForOk } from './binary.ts';

/** This repository's root. */
export const REPO_ROOT = `${import.meta.dir}/../..`;

/** What a finished run printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A started gateway process. */
export interface SpawnedGateway {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>;
  port: number;
  url: string;
  /** Everything written to stdout so far, as parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  stop(): Promise<void>;
}

function baseEnv(env: Record<string, string>): Record<string, string> {
  // The default ollama URL names a host that does not exist here; a closed local port answers at once instead.
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', OLLAMA_API_URL: 'http://127.0.0.1:9/v1', ...env };
}

/** Runs main.ts to its end (a bad setting, --help) within `timeoutMs`; the process is killed past it. */
export async function runMain(env: Record<string, string>, args: string[] = [], root = REPO_ROOT, timeoutMs = 10_000): Promise<RunResult> {
  const proc = Bun.spawn([process.execPath, 'src/main.ts', ...args], { cwd: root, env: baseEnv(env), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function collect(stream: ReadableStream<Uint8Array>): () => string {
  let text = '';
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return () => text;
}

/** Starts main.ts on a free loopback port with `env` and waits until /health answers. */
export async function spawnGateway(env: Record<string, string>, root = REPO_ROOT): Promise<SpawnedGateway> {
  const port = freePort();
  const proc = Bun.spawn([process.execPath, 'src/main.ts'], {
    cwd: root,
    env: baseEnv({ SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), ...env }),
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const out = collect(proc.stdout);
  const err = collect(proc.stderr);
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitForOk(`${url}/health`, 10_000),
    proc.exited.then((code) => {
      throw new Error(`gateway exited with ${code} before answering: ${err()}`);
    }),
  ]);
  const logs = () =>
    out()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const stop = async () => {
    proc.kill('SIGKILL');
    await proc.exited;
  };
  return { proc, port, url, logs, stop };
}

/** Polls the logs until one line matches, or fails after `timeoutMs`. */
export async function waitForLog(gw: SpawnedGateway, match: (line: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const line = gw.logs().find(match);
    if (line) return line;
    await Bun.sleep(20);
  }
  throw new Error(`no matching log line within ${timeoutMs} ms; got:\n${gw.logs().map((l) => JSON.stringify(l)).join('\n')}`);
}
