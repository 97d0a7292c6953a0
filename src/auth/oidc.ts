/** Bearer JWTs verified with jose against the OIDC issuer's JWKS; every refusal is a GatewayError that says what is wrong. */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../telemetry/log.ts';
import { IssuerClient, IssuerUnavailable, type IssuerTimings } from './issuer.ts';
import { VerifiedTokens } from './token-cache.ts';

/** The asymmetric algorithms an issuer signs with. `none` and HMAC (HS*) are never accepted: the gateway holds no shared secret. */
export const ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Everything verification depends on. */
export interface OidcOptions extends IssuerTimings {
  issuer: string;
  clientId: string;
  /** Leeway for `exp` and `nbf` against clock skew between the issuer and the gateway. */
  clockToleranceSec: number;
  /** How long an accepted token is taken on trust before its signature is checked again (capped by its exp). */
  verifiedTokenMaxAgeMs: number;
}

/** Distinct accepted tokens remembered at once (a few MB at most). */
const VERIFIED_TOKENS = 4096;

/** Defaults for the timings (tests shorten them). */
export const OIDC_TIMINGS: IssuerTimings & { clockToleranceSec: number; verifiedTokenMaxAgeMs: number } = {
  clockToleranceSec: 30,
  verifiedTokenMaxAgeMs: 60_000,
  retryAfterMs: 5_000,
  keysCooldownMs: 30_000,
  keysMaxAgeMs: 10 * 60_000,
  timeoutMs: 5_000,
};

/** 401 with the RFC 6750 challenge; `invalid` adds error="invalid_token" (a token was sent but is not acceptable). */
export function unauthorized(message: string, invalid = true): GatewayError {
  // error_description is a quoted-string: keep it free of quotes and backslashes.
  const description = message.replace(/["\\]/g, "'");
  const challenge = invalid ? `Bearer error="invalid_token", error_description="${description}"` : 'Bearer';
  return new GatewayError(401, 'unauthorized', message, { headers: { 'www-authenticate': challenge } });
}

function unavailable(err: IssuerUnavailable): GatewayError {
  const seconds = Math.max(1, Math.ceil(err.retryInMs / 1000));
  return new GatewayError(503, 'auth_unavailable', `Authentication is unavailable: the OIDC issuer cannot be reached; try again in ${seconds}s`, {
    headers: { 'retry-after': String(seconds) },
    reason: err.message,
  });
}

/** Names an algorithm in a message only when it looks like one (the header is attacker-controlled). */
const algName = (alg: unknown) => (typeof alg === 'string' && /^[A-Za-z0-9+-]{1,16}$/.test(alg) ? `${alg} ` : '');

function decodeUnverified(token: string): { alg: unknown; iss: unknown } {
  try {
    return { alg: decodeProtectedHeader(token).alg, iss: decodeJwt(token).iss };
  } catch {
    throw unauthorized('Malformed bearer token: not a JWT');
  }
}

function claimProblem(err: errors.JWTClaimValidationFailed): GatewayError {
  switch (err.claim) {
    case 'aud':
      return unauthorized("Token audience does not include this gateway's client id");
    case 'iss':
      return unauthorized('Token was issued by another issuer');
    case 'nbf':
      return unauthorized('Token is not valid yet (nbf is in the future)');
    case 'exp':
      return unauthorized('Token has no expiry (exp)');
    default:
      return unauthorized(`Token claim ${err.claim} is invalid`);
  }
}

/** Turns jose's verdict into what the client is told. */
function joseProblem(err: unknown): unknown {
  if (err instanceof IssuerUnavailable) return unavailable(err);
  if (err instanceof errors.JWTExpired) return unauthorized('Token expired');
  if (err instanceof errors.JWTClaimValidationFailed) return claimProblem(err);
  if (err instanceof errors.JWKSNoMatchingKey) return unauthorized('Token is signed with a key the issuer does not publish (unknown kid)');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return unauthorized('Token has no usable kid: several issuer keys match');
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthorized('Token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return unauthorized('Token algorithm is not accepted');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return unauthorized('Malformed bearer token: not a valid JWT');
  if (err instanceof errors.JOSEError) return unauthorized('Token is invalid');
  return err;
}

/** Verifies bearer tokens for one issuer and client id. */
export class OidcVerifier {
  private readonly issuer: IssuerClient;
  private readonly verified: VerifiedTokens;

  constructor(
    private readonly opts: OidcOptions,
    logger: Logger,
  ) {
    this.issuer = new IssuerClient(opts.issuer, opts, logger);
    this.verified = new VerifiedTokens(VERIFIED_TOKENS, opts.verifiedTokenMaxAgeMs);
  }

  /** The token's claims when it is acceptable; otherwise throws a GatewayError (401, or 503 while the issuer is unreachable). */
  async verify(token: string): Promise<JWTPayload> {
    const known = this.verified.get(token);
    if (known) return known;
    const { alg, iss } = decodeUnverified(token);
    // Checked before any key lookup, so junk tokens never make the gateway ask the issuer for anything.
    if (typeof alg !== 'string' || !ALGORITHMS.includes(alg)) {
      throw unauthorized(`Token algorithm ${algName(alg)}is not accepted; allowed: ${ALGORITHMS.join(', ')}`);
    }
    try {
      const keys = await this.issuer.resolve();
      // A foreign token would otherwise look like an unknown kid and trigger a JWKS refetch.
      if (iss !== keys.issuer) throw unauthorized('Token was issued by another issuer');
      const { payload } = await jwtVerify(token, keys.getKey, {
        issuer: keys.issuer,
        audience: this.opts.clientId,
        algorithms: [...ALGORITHMS],
        clockTolerance: this.opts.clockToleranceSec,
        requiredClaims: ['exp'],
      });
      this.verified.add(token, payload);
      return payload;
    } catch (err) {
      throw joseProblem(err);
    }
  }
}
