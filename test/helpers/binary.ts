/** Builds the single executable once per test run (unless CI already did) and runs it. */
import { existsSync } from 'node:fs';

export const BINARY = `${import.meta.dir}/../../dist/inference-gateway`;

let built: Promise<void> | undefined;

/** Makes sure dist/inference-gateway exists, building it with build.ts when it does not. */
export function ensureBinary(): Promise<void> {
  built ??= (async () => {
    if (existsSync(BINARY) && process.env.REBUILD_BINARY !== '1') return;
    const proc = Bun.spawn([process.execPath, 'run', 'build.ts'], { cwd: `${import.meta.dir}/../..`, stdout: 'ignore', stderr: 'inherit' });
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
export async function waitForOk(url: string, timeoutMs = 5000, init?: RequestInit): Promise<number> {
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
