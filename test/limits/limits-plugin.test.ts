import { afterAll, describe, expect, test } from 'bun:test';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway, testGateway } from '../helpers/gateway.ts';
import { tempDir, writeFile } from './harness.ts';

const ALICE = 'igw-alice-plugin-key-000000000001';
const BOB = 'igw-bob-plugin-key-0000000000002';
const dir = tempDir();
const KEYS = writeFile(dir, 'keys.yaml', `keys:
  - { sha256: "${hashApiKey(ALICE)}", caller: alice, team: research }
  - { sha256: "${hashApiKey(BOB)}", caller: bob, team: research }
`);
const LIMITS = writeFile(dir, 'limits.yaml', `rules:
  - { name: per-user, per: caller, requests_per_minute: 2, tokens_per_minute: 100000 }
  - { name: team-tokens, per: team, tokens_per_day: 1000000 }
`);

const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
const provider = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body) as { stream?: boolean };
    if (!body.stream) return Response.json(chatCompletion('hi', 'gpt-4o', usage));
    const chunks = chatChunks(['h', 'i']);
    const usageChunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 } })}\n\n`;
    return sseResponse([...chunks, usageChunk]);
  },
  'GET /models': () => Response.json({ object: 'list', data: [] }),
});
afterAll(() => provider.stop());

const env = { OPENAI_API_URL: provider.url, OPENAI_API_KEY: 'sk-plugin-test-upstream', LIMITS_CONFIG_PATH: LIMITS, AUTH_API_KEYS_PATH: KEYS };
const chat = (stream = false) => ({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hello' }], max_tokens: 500, ...(stream ? { stream } : {}) });

describe('limits plugin in the gateway', () => {
  test('a wrong or missing key is a 401 in the gateway error shape, and nothing reaches the provider', async () => {
    const gw = testGateway(env);
    const before = provider.received.length;
    for (const headers of [{ 'x-api-key': 'wrong' }, { authorization: 'Bearer wrong' }, {}] as Record<string, string>[]) {
      const res = await gw.post('/v1/chat/completions', chat(), { headers: { 'content-type': 'application/json', ...headers } });
      expect(res.status).toBe(401);
      expect(Object.keys((await res.json()) as object)).toEqual(['error']);
    }
    expect((await gw.req('/v1/models')).status).toBe(401);
    expect((await gw.req('/health')).status).toBe(200);
    expect(provider.received.length).toBe(before);
  });

  test('a limited request gets 429 naming the rule and window, with Retry-After, and is never forwarded', async () => {
    const gw = testGateway(env);
    const headers = { 'content-type': 'application/json', 'x-api-key': ALICE };
    const first = await gw.post('/v1/chat/completions', chat(), { headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+m\d+s$/);
    expect((await gw.post('/v1/chat/completions', chat(), { headers })).status).toBe(200);
    const forwarded = provider.received.length;
    const limited = await gw.post('/v1/chat/completions', chat(), { headers });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error: string };
    expect(body.error).toStartWith('Rate limit "per-user" reached: 2 requests per minute; retry in ');
    expect(body.error).not.toContain(ALICE);
    expect(provider.received.length).toBe(forwarded);
    // Another caller of the same gateway is not limited by alice's use.
    expect((await gw.post('/v1/chat/completions', chat(), { headers: { ...headers, 'x-api-key': BOB } })).status).toBe(200);
  });

  test('the key never reaches the provider', async () => {
    const gw = testGateway(env);
    await gw.post('/v1/chat/completions', chat(), { headers: { 'content-type': 'application/json', authorization: `Bearer ${ALICE}` } });
    const sent = JSON.stringify(provider.last().headers);
    expect(sent).not.toContain(ALICE);
    expect(provider.last().headers.authorization).toBe('Bearer sk-plugin-test-upstream');
  });

  test.each([false, true])('the token reservation is corrected to the real usage (stream: %p)', async (stream) => {
    const gw = testGateway(env);
    const headers = { 'content-type': 'application/json', 'x-api-key': BOB };
    const res = await gw.post('/v1/chat/completions', chat(stream), { headers });
    expect(res.status).toBe(200);
    // The reservation: max_tokens plus a quarter of the body's characters.
    expect(Number(res.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(100000 - 500);
    await res.text();
    await Bun.sleep(20);
    const limits = (await (await gw.req('/v1/limits', { headers })).json()) as { caller: string; rules: { name: string; key: string; windows: { window: string; used: number }[] }[] };
    expect(limits.caller).toBe('bob');
    const tokens = limits.rules.find((r) => r.name === 'per-user')!.windows.find((w) => w.window === 'tokens_per_minute')!;
    expect(tokens.used).toBe(stream ? 50 : 12);
    expect(limits.rules.find((r) => r.name === 'team-tokens')).toMatchObject({ key: 'research', windows: [{ window: 'tokens_per_day', used: stream ? 50 : 12 }] });
  });

  test('GET /v1/limits shows the caller its rules, usage and reset times', async () => {
    const gw = testGateway(env);
    const headers = { 'x-api-key': ALICE };
    const res = await gw.req('/v1/limits', { headers });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      caller: 'alice',
      teams: ['research'],
      identity_source: 'api_key',
      store: 'ok',
      rules: [
        {
          name: 'per-user',
          per: 'caller',
          key: 'alice',
          windows: [
            { window: 'requests_per_minute', limit: 2, used: 0, remaining: 2, resets_in_seconds: 0, reset: '0s' },
            { window: 'tokens_per_minute', limit: 100000, used: 0, remaining: 100000, resets_in_seconds: 0, reset: '0s' },
          ],
        },
        { name: 'team-tokens', per: 'team', key: 'research', windows: [{ window: 'tokens_per_day', limit: 1000000, used: 0, remaining: 1000000, resets_in_seconds: 0, reset: '0s' }] },
      ],
    });
    expect((await gw.req('/v1/limits')).status).toBe(401);
  });

  test('the proxy is limited too, in the same count', async () => {
    const gw = testGateway(env);
    const headers = { 'x-api-key': ALICE };
    expect((await gw.req('/proxy/openai/models', { headers })).status).toBe(200);
    expect((await gw.req('/proxy/openai/models', { headers })).status).toBe(200);
    const forwarded = provider.received.length;
    const res = await gw.req('/proxy/openai/models', { headers });
    expect(res.status).toBe(429);
    expect(provider.received.length).toBe(forwarded);
  });
});

describe('limits plugin without keys or tokens', () => {
  test('the caller is the client address; a request refused upstream gives its tokens back', async () => {
    const gw = listeningGateway({ OPENAI_API_URL: provider.url, OPENAI_API_KEY: 'sk-plugin-test-upstream', LIMITS_CONFIG_PATH: LIMITS });
    try {
      const failing = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'nosuchprovider/x', messages: [{ role: 'user', content: 'hi' }], max_tokens: 900 }),
      });
      expect(failing.status).toBe(400);
      await Bun.sleep(20);
      const limits = (await (await fetch(`${gw.url}/v1/limits`)).json()) as { caller: string; identity_source: string; rules: { windows: { window: string; used: number }[] }[] };
      expect([limits.caller, limits.identity_source]).toEqual(['127.0.0.1', 'address']);
      expect(limits.rules[0]!.windows).toMatchObject([{ window: 'requests_per_minute', used: 1 }, { window: 'tokens_per_minute', used: 0 }]);
    } finally {
      await gw.stop();
    }
  });
});
