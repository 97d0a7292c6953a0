import { afterAll, describe, expect, test } from 'bun:test';
import { generateKeyPair, SignJWT } from 'jose';
import { startIssuer, type OidcIssuer } from '../helpers/oidc-issuer.ts';
import { authGateway, CLIENT_ID, refusal } from './auth-gateway.ts';

const stops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(stops.map((stop) => stop())));

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const { port } = probe;
  await probe.stop(true);
  if (port === undefined) throw new Error('no port');
  return port;
}

/** A well-formed RS256 token for `iss`, signed by a key nobody publishes: enough to make the gateway need the issuer. */
async function tokenFor(iss: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss, aud: CLIENT_ID, exp: now + 300 }).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).sign(privateKey);
}

/** An issuer that answers discovery (naming `issuerName`, or itself) and fails whatever `failing` lists with 500. */
function brokenIssuer(failing: { discovery?: boolean; jwks?: boolean }, issuerName?: string) {
  const hits: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req): Response {
      const { pathname, origin: base } = new URL(req.url);
      hits.push(pathname);
      if (pathname === '/.well-known/openid-configuration' && !failing.discovery) {
        return Response.json({ issuer: issuerName ?? base, jwks_uri: `${base}/jwks` });
      }
      if (pathname === '/jwks' && !failing.jwks) return Response.json({ keys: [] });
      return new Response('down for maintenance', { status: 500 });
    },
  });
  stops.push(() => server.stop(true));
  const url = `http://127.0.0.1:${server.port}`;
  return { url, hits, count: (path: string) => hits.filter((p) => p === path).length };
}

const DISCOVERY = '/.well-known/openid-configuration';
const UNAVAILABLE = /^Authentication is unavailable: the OIDC issuer cannot be reached; try again in \d+s$/;

async function burst(gw: ReturnType<typeof authGateway>, token: string, n = 30): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: n }, () => gw.req('/v1/mcp/tools', token)));
  return responses.map((r) => r.status);
}

describe('issuer unreachable', () => {
  test('issuer down at start: the gateway starts, answers 503, and recovers once the issuer is up', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gw = authGateway(url, {}, { retryAfterMs: 300 });
    expect((await gw.req('/health')).status).toBe(200);

    const down = await gw.req('/v1/mcp/tools', await tokenFor(url));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect((await refusal(down)).error).toMatch(UNAVAILABLE);
    expect(gw.logs.some((l) => l.includes('"msg":"OIDC issuer unavailable"'))).toBe(true);

    const issuer: OidcIssuer = await startIssuer({ clientId: CLIENT_ID, port });
    stops.push(() => issuer.stop());
    await Bun.sleep(350);
    const up = await gw.req('/v1/mcp/tools', await issuer.token());
    expect(up.status).toBe(403); // past auth: MCP is simply not exposed
    expect(issuer.count(DISCOVERY)).toBe(1);
    expect(issuer.count('/jwks')).toBe(1);
  });

  test('a burst while discovery fails asks the issuer once, then not again until the cooldown ends', async () => {
    const broken = brokenIssuer({ discovery: true });
    const gw = authGateway(broken.url, {}, { retryAfterMs: 600 });
    const token = await tokenFor(broken.url);
    expect(await burst(gw, token)).toEqual(Array(30).fill(503));
    expect(await burst(gw, token)).toEqual(Array(30).fill(503));
    expect(broken.hits).toEqual([DISCOVERY]);
    await Bun.sleep(700);
    expect(await burst(gw, token)).toEqual(Array(30).fill(503));
    expect(broken.hits).toEqual([DISCOVERY, DISCOVERY]);
  });

  test('a burst while the JWKS fails: one discovery, one JWKS request per cooldown', async () => {
    const broken = brokenIssuer({ jwks: true });
    const gw = authGateway(broken.url, {}, { retryAfterMs: 1000 });
    const token = await tokenFor(broken.url);
    expect(await burst(gw, token)).toEqual(Array(30).fill(503));
    expect(await burst(gw, token)).toEqual(Array(30).fill(503));
    expect({ discovery: broken.count(DISCOVERY), jwks: broken.count('/jwks') }).toEqual({ discovery: 1, jwks: 1 });
  });

  test('a discovery document naming another issuer is refused (503, logged)', async () => {
    const impostor = brokenIssuer({}, 'https://somewhere-else.example');
    const gw = authGateway(impostor.url);
    const res = await gw.req('/v1/mcp/tools', await tokenFor(impostor.url));
    expect(res.status).toBe(503);
    expect(impostor.hits).toEqual([DISCOVERY]);
    expect(gw.logs.join('\n')).toContain('discovery document names issuer \\"https://somewhere-else.example\\"');
  });
});

describe('issuer down after start', () => {
  test('tokens keep verifying with the last fetched keys; a kid they lack gets 503, not 401', async () => {
    const issuer = await startIssuer({ clientId: CLIENT_ID });
    const gw = authGateway(issuer.issuer, {}, { keysMaxAgeMs: 100 });
    const token = await issuer.token();
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403);
    const now = Math.floor(Date.now() / 1000);
    const unknownKid = await issuer.sign({ iss: issuer.issuer, aud: CLIENT_ID, exp: now + 300 }, { kid: 'not-published-yet' });
    await issuer.stop();
    await Bun.sleep(150); // the cached keys are now stale: the gateway tries the issuer and fails
    expect((await gw.req('/v1/mcp/tools', token)).status).toBe(403);
    const res = await gw.req('/v1/mcp/tools', unknownKid);
    expect(res.status).toBe(503);
    expect((await refusal(res)).error).toMatch(UNAVAILABLE);
    expect(issuer.count('/jwks')).toBe(1);
  });
});

describe('a healthy issuer under load', () => {
  test('a burst of 40 concurrent requests on a fresh gateway: one discovery, one JWKS fetch', async () => {
    const issuer = await startIssuer({ clientId: CLIENT_ID });
    stops.push(() => issuer.stop());
    const gw = authGateway(issuer.issuer);
    const token = await issuer.token();
    expect(await burst(gw, token, 40)).toEqual(Array(40).fill(403));
    expect(await burst(gw, token, 40)).toEqual(Array(40).fill(403));
    expect({ discovery: issuer.count(DISCOVERY), jwks: issuer.count('/jwks') }).toEqual({ discovery: 1, jwks: 1 });
  });
});
