import { afterAll, describe, expect, test } from 'bun:test';
import { exportSPKI, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { startIssuer } from '../helpers/oidc-issuer.ts';
import { authGateway, CLIENT_ID, refusal } from './auth-gateway.ts';

const issuer = await startIssuer({ clientId: CLIENT_ID });
const otherIssuer = await startIssuer({ clientId: CLIENT_ID });
afterAll(async () => {
  await issuer.stop();
  await otherIssuer.stop();
});

const gw = authGateway(issuer.issuer);
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ iss: issuer.issuer, aud: CLIENT_ID, iat: now(), exp: now() + 300, ...extra });
const INVALID = (description: string) => `Bearer error="invalid_token", error_description="${description}"`;

/** GET /v1/mcp/tools answers 403 (MCP not exposed) once auth lets the request through. */
async function expectAccepted(token: string) {
  const res = await gw.req('/v1/mcp/tools', token);
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: string }).error).toStartWith('MCP tools endpoint is not exposed');
}

async function expectRefused(token: string, error: string) {
  const got = await refusal(await gw.req('/v1/mcp/tools', token));
  expect(got).toMatchObject({ status: 401, error, challenge: INVALID(error) });
  if (token.length > 0) expect(got.text).not.toContain(token.split('.')[0] ?? token);
  return got;
}

describe('bearer tokens from a real OIDC issuer', () => {
  test('a token issued by client credentials is accepted (aud = client id, no azp)', async () => {
    const token = await issuer.token();
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    expect(payload.aud).toBe(CLIENT_ID);
    expect(payload.azp).toBeUndefined();
    await expectAccepted(token);
  });

  test('aud may be a list that contains the client id', async () => {
    await expectAccepted(await issuer.sign(claims({ aud: ['account', CLIENT_ID] })));
  });

  test('missing token: 401 with a bare Bearer challenge', async () => {
    const got = await refusal(await gw.req('/v1/mcp/tools'));
    expect(got).toEqual({
      status: 401,
      error: 'Missing bearer token: send Authorization: Bearer <token>',
      challenge: 'Bearer',
      text: '{"error":"Missing bearer token: send Authorization: Bearer <token>"}',
    });
  });

  test('only the Authorization header counts: not ?access_token=, not another scheme', async () => {
    const token = await issuer.token();
    const inQuery = await refusal(await gw.req(`/v1/mcp/tools?access_token=${token}`));
    expect(inQuery).toMatchObject({ status: 401, error: 'Missing bearer token: send Authorization: Bearer <token>' });
    const basic = await refusal(await gw.req('/v1/mcp/tools', undefined, { headers: { authorization: `Basic ${btoa('a:b')}` } }));
    expect(basic).toMatchObject({ status: 401, challenge: 'Bearer', error: 'Authorization header must use the Bearer scheme: Authorization: Bearer <token>' });
  });

  test('the scheme name is case-insensitive (RFC 7235)', async () => {
    const token = await issuer.token();
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const res = await gw.req('/v1/mcp/tools', undefined, { headers: { authorization: `${scheme} ${token}` } });
      expect(res.status).toBe(403);
    }
  });

  test('malformed token', async () => {
    await expectRefused('not-a-jwt', 'Malformed bearer token: not a JWT');
    await expectRefused('e30.e30.', 'Token algorithm is not accepted; allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519');
  });

  test('expired token (beyond the 30s clock tolerance) is refused; within it, accepted', async () => {
    await expectRefused(await issuer.sign(claims({ iat: now() - 600, exp: now() - 120 })), 'Token expired');
    await expectAccepted(await issuer.sign(claims({ iat: now() - 600, exp: now() - 10 })));
  });

  test('a token that is not valid yet, or has no exp, is refused', async () => {
    await expectRefused(await issuer.sign(claims({ nbf: now() + 120 })), 'Token is not valid yet (nbf is in the future)');
    await expectRefused(await issuer.sign(claims({ exp: undefined })), 'Token has no expiry (exp)');
  });

  test('wrong audience: a real token the issuer made for another resource', async () => {
    await expectRefused(await issuer.token({ resource: 'urn:other' }), "Token audience does not include this gateway's client id");
  });

  test('wrong issuer: a real token from a second issuer, without asking our issuer for keys', async () => {
    await expectAccepted(await issuer.token());
    const jwksBefore = issuer.count('/jwks');
    await expectRefused(await otherIssuer.token(), 'Token was issued by another issuer');
    expect(issuer.count('/jwks')).toBe(jwksBefore);
  });

  test("a token naming our issuer but signed with the other issuer's key fails its signature", async () => {
    expect(otherIssuer.kid()).toBe(issuer.kid());
    await expectRefused(await otherIssuer.sign(claims()), 'Token signature is invalid');
  });

  test('alg none is refused before any key lookup', async () => {
    const token = new UnsecuredJWT(claims()).encode();
    const got = await expectRefused(token, 'Token algorithm none is not accepted; allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519');
    expect(got.error).toContain('none');
  });

  test('HMAC tokens are refused, including one keyed with the issuer public key (algorithm confusion)', async () => {
    const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: issuer.kid() }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    await expectRefused(hs, 'Token algorithm HS256 is not accepted; allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519');
    const { keys } = (await (await fetch(`${issuer.issuer}/jwks`)).json()) as { keys: JWK[] };
    const pem = await exportSPKI((await importJWK(keys[0]!, 'RS256')) as CryptoKey);
    const confused = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: issuer.kid() }).sign(new TextEncoder().encode(pem));
    await expectRefused(confused, 'Token algorithm HS256 is not accepted; allowed: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519');
  });

  test('a tampered token (payload changed, signature kept) is refused', async () => {
    const [h, , s] = (await issuer.token()).split('.');
    const forged = `${h}.${btoa(JSON.stringify(claims({ sub: 'admin' }))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${s}`;
    await expectRefused(forged, 'Token signature is invalid');
  });

  test('no refusal and no log line carries the token', async () => {
    const token = await issuer.sign(claims({ exp: now() - 3600 }));
    const res = await gw.req('/v1/mcp/tools', token);
    expect(res.status).toBe(401);
    expect(JSON.stringify([...res.headers])).not.toContain(token.split('.')[2]!);
    expect(await res.text()).not.toContain(token.split('.')[2]!);
    expect(gw.logs.join('\n')).not.toContain(token.split('.')[2]!);
  });
});

describe('what auth guards', () => {
  test('/health stays open while auth is on', async () => {
    const res = await gw.req('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'OK' });
  });

  test('every other route needs a token: models, chat, MCP tools, proxy, docs', async () => {
    const routes: [string, RequestInit?][] = [
      ['/v1/models'],
      ['/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"ollama/x","messages":[]}' }],
      ['/v1/mcp/tools'],
      ['/proxy/openai/models'],
      ['/proxy/ollama/api/tags', { method: 'POST', body: '{}' }],
      ['/swagger/json'],
    ];
    for (const [path, init] of routes) {
      const got = await refusal(await gw.req(path, undefined, init));
      expect({ path, status: got.status, challenge: got.challenge }).toEqual({ path, status: 401, challenge: 'Bearer' });
    }
  });
});
