import { afterAll, describe, expect, test } from 'bun:test';
import { startIssuer } from '../helpers/oidc-issuer.ts';
import { authGateway, CLIENT_ID, refusal } from './auth-gateway.ts';

const issuer = await startIssuer({ clientId: CLIENT_ID });
afterAll(() => issuer.stop());

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ iss: issuer.issuer, aud: CLIENT_ID, exp: now() + 300 });

describe('key rotation without a restart', () => {
  test('a token signed with a new key: the JWKS is refetched once for a whole burst, and old tokens still pass', async () => {
    const gw = authGateway(issuer.issuer, {}, { keysCooldownMs: 200 });
    const before = await issuer.token();
    expect((await gw.req('/v1/mcp/tools', before)).status).toBe(403);
    expect(issuer.count('/jwks')).toBe(1);

    await issuer.rotateKeys();
    expect(issuer.kid()).toBe('key-2');
    const after = await issuer.token();
    await Bun.sleep(250); // past the cooldown since the first fetch
    const statuses = await Promise.all(Array.from({ length: 20 }, () => gw.req('/v1/mcp/tools', after)));
    expect(statuses.map((r) => r.status)).toEqual(Array(20).fill(403));
    expect(issuer.count('/jwks')).toBe(2);
    expect((await gw.req('/v1/mcp/tools', before)).status).toBe(403);
    expect(issuer.count('/jwks')).toBe(2);
  });

  test('unknown kids within the cooldown are refused without asking the issuer again', async () => {
    const gw = authGateway(issuer.issuer); // default cooldown: 30 s
    const jwks = issuer.count('/jwks');
    expect((await gw.req('/v1/mcp/tools', await issuer.token())).status).toBe(403);
    expect(issuer.count('/jwks')).toBe(jwks + 1);
    for (let i = 0; i < 10; i++) {
      const token = await issuer.sign(claims(), { kid: `made-up-${i}` });
      const got = await refusal(await gw.req('/v1/mcp/tools', token));
      expect(got).toMatchObject({ status: 401, error: 'Token is signed with a key the issuer does not publish (unknown kid)' });
    }
    expect(issuer.count('/jwks')).toBe(jwks + 1);
  });
});
