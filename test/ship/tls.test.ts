import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY, ensureBinary, freePort, startBinary, type RunningBinary } from '../helpers/binary.ts';
import { chatChunks, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';

const OPENSSL = Bun.which('openssl');
const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
const certPath = join(dir, 'cert.pem');
const keyPath = join(dir, 'key.pem');
const fake = fakeProvider({ 'POST /chat/completions': () => sseResponse(chatChunks(['over ', 'tls'])) });
let gw: RunningBinary | undefined;
let ca = '';

/** A self-signed P-256 certificate for localhost and 127.0.0.1, valid for a day. */
function makeCertificate(): void {
  const made = Bun.spawnSync(
    [OPENSSL!, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    { stderr: 'pipe' },
  );
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  ca = readFileSync(certPath, 'utf8');
}

beforeAll(async () => {
  if (!OPENSSL) return;
  makeCertificate();
  gw = await startBinary(
    { SERVER_TLS_CERT_PATH: certPath, SERVER_TLS_KEY_PATH: keyPath, OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-tls' },
    { tlsCa: ca },
  );
}, 30_000);
afterAll(async () => {
  gw?.proc.kill('SIGKILL');
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!OPENSSL)('TLS with SERVER_TLS_CERT_PATH / SERVER_TLS_KEY_PATH (self-signed, made by openssl here)', () => {
  test('serves health and a streamed chat over HTTPS to a client that trusts the certificate', async () => {
    const health = await fetch(`${gw!.url}/health`, { tls: { ca } });
    expect(await health.json()).toEqual({ message: 'OK' });
    const chat = await fetch(`${gw!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }),
      tls: { ca },
    });
    const text = await chat.text();
    expect(text).toContain('"over "');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(gw!.logs().find((l) => l.msg === 'listening')?.url).toBe(`https://127.0.0.1:${gw!.port}/`);
  });

  test('is real TLS: an untrusting client is refused, and plain HTTP gets no answer', async () => {
    expect(await fetch(`${gw!.url}/health`).then(() => 'answered', () => 'refused')).toBe('refused');
    const plain = await fetch(`http://127.0.0.1:${gw!.port}/health`).then((r) => r.status, () => 0);
    expect(plain).not.toBe(200);
  });

  test('healthcheck works over TLS', () => {
    const env = { SERVER_PORT: String(gw!.port), SERVER_TLS_CERT_PATH: certPath, SERVER_TLS_KEY_PATH: keyPath };
    expect(Bun.spawnSync([BINARY, 'healthcheck'], { env, cwd: '/' }).exitCode).toBe(0);
    // The same check without TLS settings speaks plain HTTP to the TLS port, and fails.
    expect(Bun.spawnSync([BINARY, 'healthcheck'], { env: { SERVER_PORT: String(gw!.port) }, cwd: '/' }).exitCode).toBe(1);
  });

  test('unusable TLS files stop start-up with a message naming the setting', async () => {
    await ensureBinary();
    const run = (env: Record<string, string>) => Bun.spawnSync([BINARY], { env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(freePort()), ...env }, cwd: '/' });
    const missing = run({ SERVER_TLS_CERT_PATH: join(dir, 'nope.pem'), SERVER_TLS_KEY_PATH: keyPath });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.toString()).toContain(`SERVER_TLS_CERT_PATH: cannot read "${join(dir, 'nope.pem')}" (ENOENT)`);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key');
    const notPem = run({ SERVER_TLS_CERT_PATH: certPath, SERVER_TLS_KEY_PATH: garbage });
    expect(notPem.exitCode).toBe(2);
    expect(notPem.stderr.toString()).toContain('SERVER_TLS_KEY_PATH: ');
    // PEM, but a certificate where the key belongs: Bun refuses it when listening.
    const swapped = run({ SERVER_TLS_CERT_PATH: certPath, SERVER_TLS_KEY_PATH: certPath });
    expect(swapped.exitCode).toBe(1);
    expect(swapped.stderr.toString()).toStartWith('cannot start: ');
    const half = run({ SERVER_TLS_CERT_PATH: certPath });
    expect(half.exitCode).toBe(2);
    expect(half.stderr.toString()).toContain('SERVER_TLS_CERT_PATH and SERVER_TLS_KEY_PATH must be set together');
  });
});
