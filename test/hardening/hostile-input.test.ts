import { afterAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('ok')), 'GET *': () => Response.json({ ok: true }) });
afterAll(() => fake.stop());
const gw = testGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-fuzz', SERVER_MAX_BODY_SIZE: '65536' });

/** Every answer is either a success or the spec's error shape, and never a 500. */
async function expectWellFormed(res: Response): Promise<void> {
  expect(res.status).not.toBe(500);
  if (res.status >= 400) {
    const body = (await res.json()) as { error?: unknown };
    expect(typeof body.error).toBe('string');
    expect(String(body.error)).not.toContain('    at ');
  } else {
    await res.arrayBuffer();
  }
}

const RUNS = { numRuns: 150 };
const message = fc.record({ role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool', 'developer'), fc.string()), content: fc.oneof(fc.string(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 3 })) }, { requiredKeys: [] });
const chatish = fc.record(
  {
    model: fc.oneof(fc.constantFrom('openai/gpt-4o', 'OPENAI/x', 'nope/x', '/', ''), fc.string(), fc.integer()),
    messages: fc.oneof(fc.array(message, { maxLength: 3 }), fc.jsonValue()),
    stream: fc.oneof(fc.boolean(), fc.jsonValue()),
    tools: fc.jsonValue(),
    stream_options: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('hostile input never breaks the gateway (property-based)', () => {
  test('chat bodies: arbitrary JSON shaped like a chat', async () => {
    await fc.assert(
      fc.asyncProperty(chatish, async (body) => {
        await expectWellFormed(await gw.post('/v1/chat/completions', body));
      }),
      RUNS,
    );
  });

  test('chat bodies: arbitrary bytes and JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), async (text) => {
        await expectWellFormed(await gw.req('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text }));
      }),
      RUNS,
    );
  });

  test('query strings and headers', async () => {
    const headerName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,20}$/);
    const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.dictionary(headerName, headerValue, { maxKeys: 5 }), async (provider, headers) => {
        const query = `?provider=${encodeURIComponent(provider)}`;
        await expectWellFormed(await gw.req(`/v1/models${query}`, { headers }));
        await expectWellFormed(
          await gw.req(`/v1/chat/completions${query}`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
          }),
        );
      }),
      RUNS,
    );
  });

  test('proxy paths never reach outside the provider base URL', async () => {
    const piece = fc.constantFrom('..', '%/x', '.', '%2e', '%2E%2e', '%252e', '%2f', '%5c', '\\', '@', ':', 'http:', '//', '%00', '%0d%0a', 'models', 'a b', '%', '%zz', '?', '#', 'x');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.constantFrom('/', ''), async (parts, sep) => {
        // Includes paths whose dot segments climb into the provider segment itself (`../%/x` → `/proxy/%/x`).
        const path = parts.join(sep);
        let request: Request;
        try {
          request = new Request(`http://localhost/proxy/openai/${path}`);
        } catch {
          return; // not even a URL a client could send
        }
        await expectWellFormed(await gw.app.handle(request));
      }),
      { numRuns: 300 },
    );
    for (const rec of fake.received) expect(rec.path).toStartWith('/v1/');
  });
});
