import { afterAll, describe, expect, test } from 'bun:test';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

// Every failed request's one log line carries a stable code and a reason an operator can act on.
const slow = fakeProvider({
  'POST /chat/completions': async () => {
    await Bun.sleep(600);
    return Response.json(chatCompletion('late'));
  },
});
// Accepts TCP and answers bytes that are not TLS: a TLS handshake with it fails.
const notTls = Bun.listen({
  hostname: '127.0.0.1',
  port: 0,
  socket: {
    open(socket) {
      socket.write('HTTP/1.1 200 OK\r\n\r\n');
      socket.end();
    },
    data() {},
  },
});
afterAll(async () => {
  await slow.stop();
  notTls.stop(true);
});

const gw = testGateway({
  OPENAI_API_URL: 'http://127.0.0.1:9/v1',
  OPENAI_API_KEY: 'sk-refused-1234',
  GROQ_API_URL: slow.url,
  GROQ_API_KEY: 'gsk-slow-1234',
  CLIENT_RESPONSE_HEADER_TIMEOUT: '150ms',
  MISTRAL_API_URL: `https://127.0.0.1:${notTls.port}/v1`,
  MISTRAL_API_KEY: 'mk-tls-1234',
});

async function failedLine(model: string): Promise<{ status: number; body: unknown; line: Record<string, unknown> }> {
  const id = `err-${crypto.randomUUID()}`;
  const res = await gw.post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'content-type': 'application/json', 'x-request-id': id } });
  const body = await res.json();
  for (let i = 0; i < 100; i++) {
    const found = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.request_id === id);
    if (found) return { status: res.status, body, line: found };
    await Bun.sleep(5);
  }
  throw new Error(`no request line for ${model}`);
}

describe('the request line says why a request failed', () => {
  test.each([
    ['a provider that refuses the connection', 'openai/gpt-4o', 502, 'Failed to reach upstream server', 'upstream_unreachable', /^ECONNREFUSED 127\.0\.0\.1:9 \(provider openai\)$/],
    ['a header timeout', 'groq/llama', 504, 'Request timed out', 'upstream_timeout_headers', /^groq at 127\.0\.0\.1:\d+: no response headers within .*\(150ms\)$/],
    ['a missing key', 'anthropic/claude', 400, "Provider requires an API key. Please configure the provider's API key.", 'provider_not_configured', /^set ANTHROPIC_API_KEY$/],
    ['a TLS failure', 'mistral/large', 502, 'Failed to reach upstream server', 'upstream_unreachable', /^EPROTO 127\.0\.0\.1:\d+ \(provider mistral\)$/],
    ['a refused model', 'nope', 400, expect.stringContaining('Unable to determine provider'), 'provider_unknown', /names no provider/],
  ])('%s', async (_what, model, status, message, code, reason) => {
    const { status: got, body, line } = await failedLine(model);
    expect(got).toBe(status);
    // The client's text is the one users know; the code and reason are for the operator.
    expect(body).toEqual({ error: message });
    expect(line.error_code).toBe(code);
    expect(String(line.reason)).toMatch(reason);
    expect(line.level).toBe(status >= 500 ? 'warn' : 'info');
    // Never a key, never the URL's query.
    expect(JSON.stringify(line)).not.toMatch(/sk-refused|gsk-slow|mk-tls/);
  });
});
