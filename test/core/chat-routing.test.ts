import { afterAll, describe, expect, test } from 'bun:test';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const openai = fakeProvider({ 'POST /chat/completions': (_req, rec) => Response.json(chatCompletion('hello', JSON.parse(rec.body).model)) });
const groq = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('from groq')) }, '/openai/v1');
// Non-ASCII text, spacing and key order a re-serialisation would change: the client must get these bytes.
const RAW_ANSWER = `{"id":"c1",  "object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"héllo 世界 🙂 \\u00e9"},"finish_reason":"stop"}],"model":"m"}`;
const raw = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const bytes = new TextEncoder().encode(RAW_ANSWER);
    // One answer with a declared length, one chunked (no length): the two ways the gateway reads it.
    if (JSON.parse(rec.body).model === 'chunked') return new Response(new Blob([bytes]).stream(), { headers: { 'content-type': 'application/json' } });
    return new Response(bytes, { headers: { 'content-type': 'application/json' } });
  },
});
afterAll(() => Promise.all([openai.stop(), groq.stop(), raw.stop()]));

const gw = testGateway({
  OPENAI_API_URL: openai.url,
  OPENAI_API_KEY: 'sk-openai-test',
  GROQ_API_URL: groq.url,
  GROQ_API_KEY: 'gsk-groq-test',
});
const messages = [{ role: 'user', content: 'hi' }];

describe('chat routing', () => {
  test('provider/model prefix picks the provider; the upstream sees the bare model and the body intact', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'openai/gpt-4o', messages, temperature: 0.2, seed: 7 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('hello');
    const sent = JSON.parse(openai.last().body);
    expect(sent).toEqual({ model: 'gpt-4o', messages, temperature: 0.2, seed: 7 });
    expect(openai.last().path).toBe('/v1/chat/completions');
  });

  test('a non-streamed answer reaches the client byte for byte (UTF-8, spacing, key order), with or without a declared length', async () => {
    const gwRaw = testGateway({ OPENAI_API_URL: raw.url, OPENAI_API_KEY: 'sk-raw' });
    for (const model of ['openai/m', 'openai/chunked']) {
      const res = await gwRaw.post('/v1/chat/completions', { model, messages });
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(new TextEncoder().encode(RAW_ANSWER));
    }
  });

  test('the prefix is matched case-insensitively and the rest may hold more slashes', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'GROQ/meta-llama/llama-4-scout', messages });
    expect(res.status).toBe(200);
    expect(JSON.parse(groq.last().body).model).toBe('meta-llama/llama-4-scout');
  });

  test('?provider= wins, and strips its own prefix from the model', async () => {
    await gw.post('/v1/chat/completions?provider=openai', { model: 'openai/gpt-4o-mini', messages });
    expect(JSON.parse(openai.last().body).model).toBe('gpt-4o-mini');
    await gw.post('/v1/chat/completions?provider=groq', { model: 'meta-llama/llama', messages });
    expect(JSON.parse(groq.last().body).model).toBe('meta-llama/llama');
  });

  test('a model without a known provider is 400 with the known text', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'gpt-4o', messages });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toStartWith('Unable to determine provider for model.');
  });

  test('an unknown ?provider= is 400', async () => {
    const res = await gw.post('/v1/chat/completions?provider=nope', { model: 'x', messages });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Provider not found. Please check the list of supported providers.' });
  });

  test('a provider without a key is 400 and is never called', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'mistral/mistral-large-latest', messages });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Provider requires an API key. Please configure the provider's API key." });
  });
});

describe('chat validation', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['broken JSON', '{"model": "openai/gpt-4o", ', /not valid JSON/],
    ['empty body', undefined, /empty/],
    ['missing model', JSON.stringify({ messages }), /'model' is required/],
    ['empty model', JSON.stringify({ model: ' ', messages }), /'model' is required/],
    ['missing messages', JSON.stringify({ model: 'openai/gpt-4o' }), /'messages' is required/],
    ['no messages', JSON.stringify({ model: 'openai/gpt-4o', messages: [] }), /'messages'/],
    ['bad role', JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }), /'messages.0.role' must be one of/],
    ['stream not boolean', JSON.stringify({ model: 'openai/gpt-4o', messages, stream: 'yes' }), /'stream'/],
    ['array body', '[]', /expected a JSON object/],
  ];
  for (const [name, body, pattern] of cases) {
    test(`${name} → 400 naming the problem, nothing sent upstream`, async () => {
      const before = openai.received.length;
      const res = await gw.req('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: string };
      expect(json.error).toMatch(pattern);
      expect(openai.received.length).toBe(before);
    });
  }
});
