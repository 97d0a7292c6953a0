import { describe, expect, test } from 'bun:test';
import { ApiKeys, hashApiKey } from '../../src/auth/api-keys.ts';
import { GatewayError } from '../../src/errors.ts';
import { LimitsGate } from '../../src/limits/gate.ts';
import { limiterWith, memoryStore, TestClock, tempDir, writeFile } from './harness.ts';

const KEY = 'igw-test-key-for-the-gate-0001';
const JWT_LIKE = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const dir = tempDir();
const keys = () => new ApiKeys(writeFile(dir, 'keys.yaml', `keys: [{ sha256: "${hashApiKey(KEY)}", caller: ci-bot, team: platform }]\n`));

function req(headers: Record<string, string>): Request {
  return new Request('http://gw/v1/chat/completions', { method: 'POST', headers });
}

/** The 401's message, or 'passes' / 'left to OIDC'. */
function keyCheck(gate: LimitsGate, headers: Record<string, string>): string {
  try {
    return gate.checkKey(req(headers)) ? 'passes' : 'left to OIDC';
  } catch (err) {
    if (err instanceof GatewayError) return `${err.status} ${err.message}`;
    throw err;
  }
}

describe('the gate: gateway API keys', () => {
  test.each([
    ['a valid bearer key', { authorization: `Bearer ${KEY}` }, 'passes', 'passes'],
    ['a valid x-api-key', { 'x-api-key': KEY }, 'passes', 'passes'],
    ['no key', {}, '401 Missing API key: send Authorization: Bearer <key> or x-api-key: <key>', 'left to OIDC'],
    ['a wrong bearer key', { authorization: 'Bearer wrong' }, '401 Invalid API key', '401 Invalid API key'],
    ['a wrong x-api-key', { 'x-api-key': 'wrong' }, '401 Invalid API key', '401 Invalid API key'],
    ['a bearer token', { authorization: `Bearer ${JWT_LIKE}` }, '401 Invalid API key', 'left to OIDC'],
    ['another key as Bearer and the gateway key as x-api-key', { authorization: 'Bearer sk-provider-key', 'x-api-key': KEY }, 'passes', 'passes'],
    ['a token as Bearer and a wrong x-api-key', { authorization: `Bearer ${JWT_LIKE}`, 'x-api-key': 'wrong' }, '401 Invalid API key', 'left to OIDC'],
  ])('%s: keys only → %s; with AUTH_ENABLE → %s', (_name, headers, keysOnly, withAuth) => {
    expect(keyCheck(new LimitsGate({ apiKeys: keys(), authEnabled: false }), headers)).toBe(keysOnly);
    expect(keyCheck(new LimitsGate({ apiKeys: keys(), authEnabled: true }), headers)).toBe(withAuth);
  });

  test('without a keys file nothing is asked for', () => {
    expect(keyCheck(new LimitsGate({ authEnabled: false }), {})).toBe('left to OIDC');
  });

  test("a key's caller and team are the identity; otherwise claims, otherwise the address", () => {
    const gate = new LimitsGate({ apiKeys: keys(), authEnabled: true });
    const keyed = req({ 'x-api-key': KEY });
    gate.checkKey(keyed);
    expect(gate.identify(keyed, { sub: 'someone-else' }, '10.0.0.9')).toEqual({ caller: 'ci-bot', teams: ['platform'], source: 'api_key' });
    expect(gate.identify(req({}), { sub: 'alice' }, '10.0.0.9')).toEqual({ caller: 'alice', teams: [], source: 'token' });
    expect(gate.identify(req({}), undefined, '10.0.0.9')).toEqual({ caller: '10.0.0.9', teams: [], source: 'address' });
  });
});

describe('the gate: admission', () => {
  test('a refusal is a 429 naming the rule and window with Retry-After; nothing of the caller or key in it', async () => {
    const limiter = limiterWith(memoryStore(), 'rules: [{ name: per-user, per: caller, requests_per_minute: 1 }]', { clock: new TestClock(0) });
    const gate = new LimitsGate({ limiter, apiKeys: keys(), authEnabled: false });
    const request = req({ 'x-api-key': KEY });
    gate.checkKey(request);
    const who = gate.identify(request, undefined, '10.0.0.9');
    expect((await gate.admit(who, 'm', 0)).headers['x-ratelimit-remaining-requests']).toBe('0');
    const refusal = await gate.admit(who, 'm', 0).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(GatewayError);
    const err = refusal as GatewayError;
    expect([err.status, err.code, err.message, err.headers]).toEqual([
      429,
      'rate_limited',
      'Rate limit "per-user" reached: 1 request per minute; retry in 120s',
      { 'retry-after': '120' },
    ]);
    expect(err.message).not.toContain('ci-bot');
  });
});
