import { afterAll, describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config.ts';
import { providerRequest } from '../../src/providers/request.ts';
import { buildRegistry } from '../../src/providers/registry.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({ 'POST *': () => Response.json(chatCompletion('ok')) }, '');
afterAll(() => fake.stop());

const gw = testGateway({
  OPENAI_API_URL: `${fake.url}/openai`,
  OPENAI_API_KEY: 'sk-bearer',
  ANTHROPIC_API_URL: `${fake.url}/anthropic`,
  ANTHROPIC_API_KEY: 'sk-ant-xheader',
  OLLAMA_API_URL: `${fake.url}/ollama`,
});

async function seenBy(model: string, clientHeaders: Record<string, string> = {}) {
  const res = await gw.post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'content-type': 'application/json', ...clientHeaders } });
  expect(res.status).toBe(200);
  return fake.last();
}

describe('auth injection by auth_type, as the provider sees it', () => {
  test('bearer → Authorization: Bearer KEY', async () => {
    const rec = await seenBy('openai/gpt-4o');
    expect(rec.headers.authorization).toBe('Bearer sk-bearer');
    expect(rec.path).toBe('/openai/chat/completions');
  });

  test('xheader (anthropic) → x-api-key and anthropic-version; no Authorization', async () => {
    const rec = await seenBy('anthropic/claude-sonnet-4', { authorization: 'Bearer users-own-jwt', cookie: 'session=abc' });
    expect(rec.headers['x-api-key']).toBe('sk-ant-xheader');
    expect(rec.headers['anthropic-version']).toBe('2023-06-01');
    expect(rec.headers.authorization).toBeUndefined();
    expect(rec.headers.cookie).toBeUndefined();
  });

  test('none (ollama) → no credentials at all, and the client\'s never pass', async () => {
    const rec = await seenBy('ollama/llama3', { authorization: 'Bearer users-own-jwt' });
    expect(rec.headers.authorization).toBeUndefined();
    expect(rec.headers['x-api-key']).toBeUndefined();
  });

  test('query → ?key=KEY (no spec provider uses it today; the rule is in one function)', () => {
    const provider = { ...buildRegistry(loadConfig({ GOOGLE_API_KEY: 'g-key' })).get('google')!, authType: 'query' as const };
    const built = providerRequest({ ...provider, baseUrl: 'https://example.test/v1' }, '/models?x=1', { accept: 'application/json' });
    const url = new URL(built.url);
    expect(url.searchParams.get('key')).toBe('g-key');
    expect(url.searchParams.get('x')).toBe('1');
    expect(built.headers.authorization).toBeUndefined();
  });
});
