/** The issuer's discovery document and JWKS: fetched lazily, cached, and asked at most once per cooldown after a failure. */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../telemetry/log.ts';
import { isRecord } from '../json.ts';

/** How patiently the gateway talks to the issuer. */
export interface IssuerTimings {
  /** After a failed discovery/JWKS fetch, requests are refused (503) without asking the issuer for this long. */
  retryAfterMs: number;
  /** A token with an unknown `kid` refetches the JWKS at most once per this period (key rotation). */
  keysCooldownMs: number;
  /** Keys older than this are refetched on the next request. */
  keysMaxAgeMs: number;
  /** Deadline for one discovery or JWKS request. */
  timeoutMs: number;
}

/** What a verification needs from the issuer. */
export interface IssuerKeys {
  /** The `iss` tokens must carry: the discovery document's own `issuer`. */
  issuer: string;
  getKey: JWTVerifyGetKey;
}

/** The issuer cannot be asked right now; `retryInMs` says when it will be asked again. */
export class IssuerUnavailable extends Error {
  override readonly name = 'IssuerUnavailable';
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
  }
}

const DISCOVERY_PATH = '/.well-known/openid-configuration';


const withoutSlash = (url: string) => url.replace(/\/+$/, '');

function httpUrl(value: unknown, what: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new Error(`${what} is not an http(s) URL`);
  return url;
}

/** Checks the discovery document (OpenID Connect Discovery 1.0, section 4.3: its issuer must be ours). */
function parseDiscovery(json: unknown, configured: string): { issuer: string; jwksUri: URL } {
  if (!isRecord(json)) throw new Error('discovery document is not a JSON object');
  const { issuer } = json;
  if (typeof issuer !== 'string' || withoutSlash(issuer) !== withoutSlash(configured)) {
    throw new Error(`discovery document names issuer ${JSON.stringify(issuer)}, not ${JSON.stringify(configured)}`);
  }
  return { issuer, jwksUri: httpUrl(json.jwks_uri, 'jwks_uri') };
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/** The JWKS and jose's lookup over it; createLocalJWKSet rejects malformed key sets, which then count as an issuer failure. */
function parseJwks(json: unknown): { jwks: JSONWebKeySet; local: LocalKeySet } {
  if (!isRecord(json) || !Array.isArray(json.keys)) throw new Error('JWKS is not a JSON object with a "keys" array');
  const jwks = { keys: json.keys as JWK[] };
  return { jwks, local: createLocalJWKSet(jwks) };
}

/** Talks to one issuer. Concurrent callers share one in-flight fetch; a failure silences the issuer for `retryAfterMs`. */
export class IssuerClient {
  private keys?: IssuerKeys;
  private pending?: Promise<IssuerKeys>;
  private failedAt = Number.NEGATIVE_INFINITY;
  private lastProblem = '';

  constructor(
    private readonly configuredIssuer: string,
    private readonly timings: IssuerTimings,
    private readonly logger: Logger,
  ) {}

  /** The discovered issuer and its keys; throws IssuerUnavailable while the issuer cannot be reached. */
  resolve(): Promise<IssuerKeys> {
    if (this.keys) return Promise.resolve(this.keys);
    this.pending ??= this.discover().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async discover(): Promise<IssuerKeys> {
    const url = `${withoutSlash(this.configuredIssuer)}${DISCOVERY_PATH}`;
    const { issuer, jwksUri } = await this.fetchJson(url, 'discovery', (json) => parseDiscovery(json, this.configuredIssuer));
    const getKey = this.keySet(jwksUri);
    this.keys = { issuer, getKey };
    this.logger.info('OIDC issuer discovered', { issuer, jwks_uri: jwksUri.href });
    return this.keys;
  }

  /** jose's remote key set (cached, refetched on an unknown kid), falling back to the last fetched keys while the issuer is down. */
  private keySet(jwksUri: URL): JWTVerifyGetKey {
    let lastKnown: LocalKeySet | undefined;
    const remote = createRemoteJWKSet(jwksUri, {
      cooldownDuration: this.timings.keysCooldownMs,
      cacheMaxAge: this.timings.keysMaxAgeMs,
      timeoutDuration: this.timings.timeoutMs,
      // Every JWKS fetch goes through the same cooldown as discovery, so an issuer that is down is not hammered.
      [customFetch]: async (url: string) => {
        const { jwks, local } = await this.fetchJson(url, 'JWKS', parseJwks);
        lastKnown = local;
        return Response.json(jwks);
      },
    });
    return async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        if (!(err instanceof IssuerUnavailable) || !lastKnown) throw err;
        // Keys that are merely old keep verifying while the issuer is down; a kid they lack still means "unavailable".
        return lastKnown(header, token).catch((lookupErr: unknown) => {
          throw lookupErr instanceof errors.JWKSNoMatchingKey ? err : lookupErr;
        });
      }
    };
  }

  private async fetchJson<T>(url: string, what: string, parse: (json: unknown) => T): Promise<T> {
    const waitMs = this.failedAt + this.timings.retryAfterMs - Date.now();
    if (waitMs > 0) throw new IssuerUnavailable(this.lastProblem, waitMs);
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timings.timeoutMs),
      });
      if (res.status !== 200) throw new Error(`${what} answered HTTP ${res.status}`);
      return parse(await res.json());
    } catch (err) {
      this.failedAt = Date.now();
      this.lastProblem = err instanceof Error ? err.message : String(err);
      this.logger.warn('OIDC issuer unavailable', { what, url, problem: this.lastProblem, retry_in_ms: this.timings.retryAfterMs });
      throw new IssuerUnavailable(this.lastProblem, this.timings.retryAfterMs);
    }
  }
}
