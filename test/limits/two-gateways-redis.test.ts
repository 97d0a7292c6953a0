/**
 * End to end: two real gateway processes (`bun src/main.ts`) with one REDIS_URL enforce one limit exactly,
 * for callers from a real OIDC issuer's tokens (their claims) and from gateway API keys.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { hashApiKey } from '../../src/auth/api-keys.ts';
import { chatCompletion, fakeProvider, type FakeProvider } from '../helpers/fake-provider.ts';
import { startIssuer, type OidcIssuer } from '../helpers/oidc-issuer.ts';
import { REDIS_MISSING, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { spawnGateway, waitForLog, type SpawnedGateway } from '../helpers/spawn-gateway.ts';
import { tempDir, writeFile } from './harness.ts';

if (!REDIS_SERVER) console.warn(REDIS_MISSING);

const CLIENT_ID = 'inference-gateway-client';
const CI_KEY = 'igw-ci-bot-e2e-key-00000000000001';
const BEARER_KEY = 'igw-bearer-bot-e2e-key-000000000002';
const now = () => Math.floor(Date.now() / 1000);
const RULES = `identity: { caller_claim: sub, team_claim: groups }
rules:
  - { name: per-user, per: caller, requests_per_minute: 5 }
  - { name: per-team, per: team, models: ["openai/*"], requests_per_minute: 3 }
`;

describe.skipIf(!REDIS_SERVER)('two gateway processes share one limit through Redis', () => {
  let redis: RedisServer;
  let issuer: OidcIssuer;
  let provider: FakeProvider;
  let gateways: SpawnedGateway[] = [];
  let env: Record<string, string> = {};
  const dir = tempDir();
  const limitsPath = writeFile(dir, 'limits.yaml', RULES);

  beforeAll(async () => {
    redis = await RedisServer.start();
    issuer = await startIssuer({ clientId: CLIENT_ID });
    provider = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('hi')) });
    env = {
      OPENAI_API_URL: provider.url,
      OPENAI_API_KEY: 'sk-e2e-upstream-key',
      AUTH_ENABLE: 'true',
      AUTH_OIDC_ISSUER: issuer.issuer,
      AUTH_OIDC_CLIENT_ID: CLIENT_ID,
      LIMITS_CONFIG_PATH: limitsPath,
      AUTH_API_KEYS_PATH: writeFile(dir, 'keys.yaml', `keys: [{ sha256: "${hashApiKey(CI_KEY)}", caller: ci-bot }, { sha256: "${hashApiKey(BEARER_KEY)}", caller: bearer-bot }]\n`),
      REDIS_URL: redis.url(1),
    };
    gateways = await Promise.all([spawnGateway(env), spawnGateway(env)]);
    // Until connected a gateway fails open; on a busy machine that can outlast the first requests.
    for (const g of gateways) await waitForLog(g, (l) => l.msg === 'limits store connected', 10_000);
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await provider?.stop();
    await issuer?.stop();
    await redis?.stop();
  });

  const CHAT = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  /** Waits (bounded) until a gateway's limits store answers again. */
  async function untilShared(g: SpawnedGateway, headers: Record<string, string>): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${g.url}/v1/limits`, { headers });
      if (res.status === 200 && ((await res.json()) as { store: string }).store === 'ok') return;
      await Bun.sleep(50);
    }
    throw new Error('gateway did not reconnect to Redis within 5 s');
  }
  const token = (sub: string, groups: string[] = []) => issuer.sign({ iss: issuer.issuer, aud: CLIENT_ID, iat: now(), exp: now() + 300, sub, groups });
  /** `n` chats at once, spread over both gateways; returns the statuses, sorted. */
  async function chats(n: number, headers: Record<string, string>, model = 'openai/gpt-4o'): Promise<number[]> {
    const statuses = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const res = await fetch(`${gateways[i % 2]!.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }),
        });
        await res.text();
        return res.status;
      }),
    );
    return statuses.sort();
  }

  test('a real token from the issuer: 12 chats at once over two gateways, requests_per_minute 5: exactly 5 reach the provider', async () => {
    const before = provider.received.length;
    const real = { authorization: `Bearer ${await issuer.token()}` };
    expect(await chats(12, real)).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
    expect(provider.received.length - before).toBe(5);
    const limits = (await (await fetch(`${gateways[0]!.url}/v1/limits`, { headers: real })).json()) as Record<string, unknown>;
    expect(limits).toMatchObject({ caller: CLIENT_ID, identity_source: 'token', rules: [{ name: 'per-user', windows: [{ used: 5, remaining: 0 }] }] });
  });

  test('callers from claims: each caller has its own count, and one team shares its count over both gateways', async () => {
    const before = provider.received.length;
    const carol = { authorization: `Bearer ${await token('carol', ['research'])}` };
    const dave = { authorization: `Bearer ${await token('dave', ['research', 'ops'])}` };
    expect(await chats(2, carol)).toEqual([200, 200]);
    expect(await chats(3, dave)).toEqual([200, 429, 429]); // the team's 3rd request is dave's 1st
    expect(provider.received.length - before).toBe(3);
    const limits = (await (await fetch(`${gateways[1]!.url}/v1/limits`, { headers: dave })).json()) as Record<string, unknown>;
    expect(limits).toMatchObject({ caller: 'dave', teams: ['research', 'ops'], identity_source: 'token', store: 'ok' });
    expect(limits.rules).toContainEqual(expect.objectContaining({ name: 'per-team', key: 'research', windows: [expect.objectContaining({ used: 3, remaining: 0 })] }));
  });

  test('an API key is a caller too; a wrong key is a 401 on both gateways and nothing is forwarded', async () => {
    const before = provider.received.length;
    expect(await chats(7, { 'x-api-key': CI_KEY })).toEqual([...Array(5).fill(200), 429, 429]);
    expect(provider.received.length - before).toBe(5);
    // With AUTH_ENABLE a key in Authorization: Bearer stands in for a token too.
    expect(await chats(2, { authorization: `Bearer ${BEARER_KEY}` })).toEqual([200, 200]);
    const limits = (await (await fetch(`${gateways[0]!.url}/v1/limits`, { headers: { authorization: `Bearer ${BEARER_KEY}` } })).json()) as Record<string, unknown>;
    expect(limits).toMatchObject({ caller: 'bearer-bot', identity_source: 'api_key' });
    expect(await chats(4, { 'x-api-key': 'igw-not-a-key' })).toEqual([401, 401, 401, 401]);
    expect(await chats(2, { authorization: 'Bearer igw-not-a-key' })).toEqual([401, 401]);
    expect(provider.received.length - before).toBe(7);
    for (const g of gateways) expect(JSON.stringify(g.logs())).not.toContain(CI_KEY);
  });

  test('Redis killed: LIMITS_FAIL_MODE=open serves, closed answers 503; restarted, the counts are shared again', async () => {
    const closed = await spawnGateway({ ...env, LIMITS_FAIL_MODE: 'closed' });
    try {
      const frank = { authorization: `Bearer ${await token('frank')}` };
      await redis.kill();
      expect(await chats(7, frank)).toEqual(Array(7).fill(200)); // both gateways fail open
      const refused = await fetch(`${closed.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...frank }, body: CHAT });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ error: 'Rate limits cannot be checked right now; try again shortly' });
      for (const g of gateways) await waitForLog(g, (l) => l.msg === 'limits store unreachable; serving without limits until it is back');
      expect(gateways[0]!.logs().filter((l) => l.msg === 'limits store unreachable; serving without limits until it is back')).toHaveLength(1);

      await redis.restart();
      for (const g of [...gateways, closed]) await untilShared(g, frank);
      const grace = { authorization: `Bearer ${await token('grace')}` };
      expect(await chats(7, grace)).toEqual([...Array(5).fill(200), 429, 429]);
      const third = await fetch(`${closed.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...grace }, body: CHAT });
      expect(third.status).toBe(429);
    } finally {
      await closed.stop();
    }
  });

  test('SIGHUP re-reads the limits file; a bad one leaves the rules in force', async () => {
    const [g] = gateways;
    writeFile(dir, 'limits.yaml', 'rules: [{ name: per-user, per: user }]\n');
    g!.proc.kill('SIGHUP');
    const refused = await waitForLog(g!, (l) => l.msg === 'limits file not reloaded; the rules in force stay');
    expect(JSON.stringify(refused.problems)).toContain('limits.yaml: rules[0].per: expected one of caller, team, global, got \\"user\\"');
    writeFile(dir, 'limits.yaml', RULES.replace('requests_per_minute: 5', 'requests_per_minute: 1'));
    g!.proc.kill('SIGHUP');
    await waitForLog(g!, (l) => l.msg === 'limits file reloaded');
    const erin = { authorization: `Bearer ${await token('erin')}` };
    const first = await fetch(`${g!.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...erin }, body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('1');
    writeFile(dir, 'limits.yaml', RULES);
  });
});
