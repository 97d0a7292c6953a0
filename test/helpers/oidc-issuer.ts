/** A real OIDC issuer (npm `oidc-provider`) on 127.0.0.1 port 0, issuing JWT access tokens by client credentials. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export interface OidcIssuer {
  /** The issuer identifier, e.g. http://127.0.0.1:41234 */
  issuer: string;
  clientId: string;
  /** Paths of every request the issuer received, in order. */
  requests: string[];
  /** How many requests hit a path (e.g. '/.well-known/openid-configuration', '/jwks'). */
  count(path: string): number;
  /** A real access token for the gateway's client; `resource: 'urn:other'` gives one for another audience. */
  token(opts?: { resource?: string }): Promise<string>;
  /** Signs arbitrary claims with the issuer's current signing key (kid included), to craft bad tokens. */
  sign(claims: JWTPayload, header?: { kid?: string }): Promise<string>;
  /** The kid tokens are signed with now. */
  kid(): string;
  /** Puts a new signing key first (the old one stays published, as real issuers do while rotating). */
  rotateKeys(): Promise<void>;
  stop(): Promise<void>;
}

const CLIENT_SECRET = 'test-client-secret-not-a-real-one';
const GATEWAY_RESOURCE = 'urn:inference-gateway';
const OTHER_RESOURCE = 'urn:other';

interface SigningKey {
  kid: string;
  privateJwk: JWK;
  privateKey: CryptoKey;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}

function buildProvider(issuer: string, clientId: string, keys: SigningKey[]): Provider {
  return new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    jwks: { keys: keys.map((k) => k.privateJwk) },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => GATEWAY_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: '',
          audience: resource === OTHER_RESOURCE ? 'some-other-api' : clientId,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
}

/** Starts an issuer; `port` pins it (to bring an issuer up where a gateway already expects it). */
export async function startIssuer(opts: { clientId?: string; port?: number } = {}): Promise<OidcIssuer> {
  const clientId = opts.clientId ?? 'inference-gateway-client';
  const requests: string[] = [];
  let keys = [await newKey('key-1')];
  let provider: Provider | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(new URL(req.url ?? '/', 'http://x').pathname);
    if (!provider) return void res.writeHead(503).end();
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = buildProvider(issuer, clientId, keys);

  return {
    issuer,
    clientId,
    requests,
    count: (path) => requests.filter((p) => p === path).length,
    async token({ resource = GATEWAY_RESOURCE } = {}) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${clientId}:${CLIENT_SECRET}`)}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`issuer refused the token request: ${body.error} ${body.error_description}`);
      return body.access_token;
    },
    sign: (claims, header = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid ?? keys[0]!.kid }).sign(keys[0]!.privateKey),
    kid: () => keys[0]!.kid,
    async rotateKeys() {
      keys = [await newKey(`key-${keys.length + 1}`), ...keys];
      provider = buildProvider(issuer, clientId, keys);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
