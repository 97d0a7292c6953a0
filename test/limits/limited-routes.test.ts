import { afterAll, describe, expect, test } from 'bun:test';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';
import { tempDir, writeFile } from './harness.ts';

const KEY = 'igw-routes-test-key-000000000000001';
const dir = tempDir();
const provider = fakeProvider({
  'POST /chat/completions': () => Response.json(chatCompletion('hi')),
  'POST /responses': () => Response.json({ id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-4o', output: [], usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 } }),
  'POST /embeddings': () => Response.json({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } }),
});
afterAll(() => provider.stop());

const env = {
  OPENAI_API_URL: provider.url,
  OPENAI_API_KEY: 'sk-routes-test-upstream',
  AUTH_API_KEYS_PATH: writeFile(dir, 'keys.yaml', `keys: [{ sha256: "${hashApiKey(KEY)}", caller: routes }]\n`),
  LIMITS_CONFIG_PATH: writeFile(dir, 'limits.yaml', 'rules: [{ name: one-each, per: caller, requests_per_minute: 1 }]\n'),
};
const headers = { 'content-type': 'application/json', 'x-api-key': KEY };

describe('every limited route refuses in its own error shape, before the provider', () => {
  test.each([
    ['/v1/chat/completions', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, (b: unknown) => expect(b).toEqual({ error: expect.stringContaining('Rate limit "one-each" reached') })],
    ['/v1/messages', { model: 'openai/gpt-4o', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }, (b: unknown) =>
      expect(b).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('Rate limit "one-each" reached') } })],
    ['/v1/responses', { model: 'openai/gpt-4o', input: 'hi' }, (b: unknown) => expect(b).toEqual({ error: expect.stringContaining('Rate limit "one-each" reached') })],
    ['/v1/embeddings', { model: 'openai/text-embedding-3-small', input: 'hi' }, (b: unknown) => expect(b).toEqual({ error: expect.stringContaining('Rate limit "one-each" reached') })],
  ])('%s', async (path, body, checkBody) => {
    const gw = testGateway(env);
    const first = await gw.post(path, body, { headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const forwarded = provider.received.length;
    const second = await gw.post(path, body, { headers });
    expect(second.status).toBe(429);
    // The rest of this minute, then all of the next (a limit of 1 waits until the charged window slid out).
    expect(Number(second.headers.get('retry-after'))).toBeWithin(60, 121);
    checkBody(await second.json());
    expect(provider.received.length).toBe(forwarded);
  });
});
