/**
 * An OIDC issuer stand-in for the benchmark's `features` target: one RS256 key pair made at start, the
 * discovery document and the JWKS the gateway fetches (once; then cached), and one signed token for the
 * load generator. It is off the hot path: the gateway verifies every request locally.
 *   bun run bench/mock-issuer.ts [--port=0] --client-id=ID
 * Prints one JSON line `{"port": N, "issuer": URL, "token": JWT}` once it listens.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const KID = 'bench-key-1';

function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const clientId = arg('client-id', 'inference-gateway-bench');
const { publicKey, privateKey } = await generateKeyPair('RS256');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };

// The issuer URL needs the port, which is known only once the server listens: the routes read it late.
let issuer = '';
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(arg('port', '0')),
  fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === '/.well-known/openid-configuration') {
      return Response.json({
        issuer,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
      });
    }
    if (path === '/jwks') return Response.json(jwks);
    return Response.json({ error: 'not found' }, { status: 404 });
  },
});
issuer = `http://127.0.0.1:${server.port}`;

// iss must be the configured AUTH_OIDC_ISSUER exactly (the gateway compares it with the discovery
// document's issuer); aud is the gateway's client id; exp is required. An hour outlasts any bench run.
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({ scope: 'openid' })
  .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
  .setIssuer(issuer)
  .setAudience(clientId)
  .setSubject('bench-user')
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(privateKey);

process.stdout.write(`${JSON.stringify({ port: server.port, issuer, token })}\n`);
const stop = () => {
  void server.stop(true);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
