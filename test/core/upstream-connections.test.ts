import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForOk } from '../helpers/binary.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('ok')) });
afterAll(() => fake.stop());
const chat = (gw: ReturnType<typeof testGateway>) => gw.post('/v1/chat/completions', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

describe('provider connections follow the CLIENT_* settings', () => {
  test('connections are reused between requests (keep-alive)', async () => {
    const gw = testGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-conn' });
    for (let i = 0; i < 3; i++) expect((await chat(gw)).status).toBe(200);
    const ports = new Set(fake.received.slice(-3).map((r) => r.remotePort));
    expect(ports.size).toBe(1);
  });

  test('CLIENT_MAX_IDLE_CONNS_PER_HOST=0 keeps no idle connection: every request opens its own', async () => {
    const gw = testGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-conn', CLIENT_MAX_IDLE_CONNS_PER_HOST: '0' });
    for (let i = 0; i < 3; i++) expect((await chat(gw)).status).toBe(200);
    const ports = new Set(fake.received.slice(-3).map((r) => r.remotePort));
    expect(ports.size).toBe(3);
  });

  test('CLIENT_TLS_MIN_VERSION must be TLS12 or TLS13', () => {
    expect(() => testGateway({ CLIENT_TLS_MIN_VERSION: 'SSL3' })).toThrow(/CLIENT_TLS_MIN_VERSION/);
  });
});

const OPENSSL = Bun.which('openssl');

describe.skipIf(!OPENSSL)('CLIENT_TLS_MIN_VERSION against a provider that only speaks TLS 1.2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tls-floor-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const tlsPort = freePort();
  let server: ReturnType<typeof Bun.spawn> | undefined;
  afterAll(() => {
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  async function proxyStatus(minVersion: string): Promise<{ status: number; body: string }> {
    if (!server) {
      const made = Bun.spawnSync([OPENSSL!, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stderr: 'pipe' });
      expect(made.exitCode).toBe(0);
      // A TLS 1.2-only server answering any GET with its status page.
      server = Bun.spawn([OPENSSL!, 's_server', '-accept', String(tlsPort), '-cert', cert, '-key', key, '-tls1_2', '-www', '-quiet'], { stdout: 'ignore', stderr: 'ignore' });
      await Bun.sleep(300);
    }
    const port = freePort();
    const gw = Bun.spawn([process.execPath, `${import.meta.dir}/../../src/main.ts`], {
      env: {
        PATH: process.env.PATH ?? '',
        SERVER_HOST: '127.0.0.1',
        SERVER_PORT: String(port),
        OPENAI_API_URL: `https://127.0.0.1:${tlsPort}/v1`,
        OPENAI_API_KEY: 'sk-tls-floor',
        CLIENT_TLS_MIN_VERSION: minVersion,
        NODE_EXTRA_CA_CERTS: cert,
        LOG_LEVEL: 'error',
      },
      stdout: 'ignore',
      stderr: 'ignore',
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, 10_000);
      const res = await fetch(`http://127.0.0.1:${port}/proxy/openai/models`);
      return { status: res.status, body: await res.text() };
    } finally {
      gw.kill();
      await gw.exited;
    }
  }

  test('TLS12 (the default) connects; TLS13 refuses the handshake → 502', async () => {
    const tls12 = await proxyStatus('TLS12');
    expect(tls12.status).toBe(200);
    const tls13 = await proxyStatus('TLS13');
    expect(tls13).toEqual({ status: 502, body: '{"error":"Failed to reach upstream server"}' });
  });
});
