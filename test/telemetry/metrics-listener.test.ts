import { describe, expect, test } from 'bun:test';
import { freePort, waitForOk } from '../helpers/binary.ts';

const MAIN = `${import.meta.dir}/../../src/main.ts`;

async function withGateway(env: Record<string, string>, check: (port: number, metricsPort: number) => Promise<void>) {
  const port = freePort();
  const metricsPort = freePort();
  const proc = Bun.spawn([process.execPath, MAIN], {
    env: { ...env, SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), TELEMETRY_METRICS_PORT: String(metricsPort), PATH: process.env.PATH ?? '' },
    stdout: 'ignore',
    stderr: 'ignore',
  });
  try {
    await waitForOk(`http://127.0.0.1:${port}/health`, 10_000);
    await check(port, metricsPort);
  } finally {
    proc.kill('SIGTERM');
    await proc.exited;
  }
}

describe('the metrics listener exists only when telemetry is on', () => {
  test('TELEMETRY_ENABLE=true serves /metrics on TELEMETRY_METRICS_PORT, not on the API port', async () => {
    await withGateway({ TELEMETRY_ENABLE: 'true' }, async (port, metricsPort) => {
      await fetch(`http://127.0.0.1:${port}/health`);
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(text).toContain('http_server_request_duration_seconds_count{http_request_method="GET",http_route="/health",http_response_status_code="200"}');
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    });
  });

  test('telemetry off → nothing listens on the metrics port', async () => {
    await withGateway({ TELEMETRY_ENABLE: 'false' }, async (_port, metricsPort) => {
      const err = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
    });
  });
});
