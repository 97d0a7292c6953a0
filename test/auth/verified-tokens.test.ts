/** Accepted tokens are reused, but never past their exp, their maximum age, or the cache's size. */
import { afterAll, describe, expect, test } from 'bun:test';
import { VerifiedTokens } from '../../src/auth/token-cache.ts';
import { startIssuer } from '../helpers/oidc-issuer.ts';
import { authGateway, CLIENT_ID, refusal } from './auth-gateway.ts';

const now = () => Math.floor(Date.now() / 1000);

describe('the verified-token cache', () => {
  test('keeps a token until its exp, and no longer than its maximum age', async () => {
    const cache = new VerifiedTokens(10, 60);
    cache.add('long-lived', { exp: now() + 3600 });
    cache.add('already-expired', { exp: now() - 1 });
    cache.add('no-exp', {});
    expect(cache.get('long-lived')).toEqual({ exp: expect.any(Number) });
    expect(cache.get('already-expired')).toBeUndefined();
    expect(cache.get('no-exp')).toBeUndefined();
    await Bun.sleep(80);
    expect(cache.get('long-lived')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('holds at most its capacity, dropping the oldest first', () => {
    const cache = new VerifiedTokens(3, 60_000);
    for (const t of ['a', 'b', 'c', 'd']) cache.add(t, { exp: now() + 60, sub: t });
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')?.sub).toBe('d');
  });
});

describe('a gateway reusing verdicts', () => {
  const issuerReady = startIssuer({ clientId: CLIENT_ID });
  afterAll(async () => (await issuerReady).stop());

  test('a token accepted a moment ago is refused once it expires', async () => {
    const issuer = await issuerReady;
    const gw = authGateway(issuer.issuer, {}, { clockToleranceSec: 0 });
    // exp is in whole seconds: signed just after a second begins, the token lives ~1 s, not anything
    // down to 1 ms (signed at x.999 s it had expired before the first request).
    await Bun.sleep(1000 - (Date.now() % 1000) + 5);
    const token = await issuer.sign({ iss: issuer.issuer, aud: CLIENT_ID, exp: now() + 1 });
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403); // past auth: MCP is not exposed
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403);
    await Bun.sleep(2100);
    expect(await refusal(await gw.req('/v1/mcp/tools', token))).toMatchObject({ status: 401, error: 'Token expired' });
  });

  test('a token seen once is checked again after the maximum age, so a withdrawn key stops working', async () => {
    const issuer = await issuerReady;
    const gw = authGateway(issuer.issuer, {}, { verifiedTokenMaxAgeMs: 100, keysCooldownMs: 0, keysMaxAgeMs: 0 });
    const token = await issuer.sign({ iss: issuer.issuer, aud: CLIENT_ID, exp: now() + 300 }, { kid: issuer.kid() });
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403);
    const fetched = issuer.count('/jwks');
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403);
    expect(issuer.count('/jwks')).toBe(fetched); // reused: no key lookup at all
    await Bun.sleep(150);
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403);
    expect(issuer.count('/jwks')).toBeGreaterThan(fetched); // checked again, against fresh keys
  });
});
