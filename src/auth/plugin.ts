/** AUTH_ENABLE: every route mounted after this plugin needs `Authorization: Bearer <JWT>` from the OIDC issuer. */
import { Elysia } from 'elysia';
import type { Config } from '../config.ts';
import type { AuthHooks } from '../limits/plugin.ts';
import type { Logger } from '../telemetry/log.ts';
import { IssuerClient } from './issuer.ts';
import { OIDC_TIMINGS, OidcVerifier, unauthorized, type OidcOptions } from './oidc.ts';

/** Timings a caller may override (tests shorten the cooldowns). */
export type AuthTimings = Partial<Omit<OidcOptions, 'issuer' | 'clientId'>>;

const BEARER = /^bearer[ \t]+(.*)$/i;
const MISSING = 'Missing bearer token: send Authorization: Bearer <token>';

/**
 * The token from the Authorization header; nothing else counts. A token in the URL (`?access_token=`,
 * which @elysiajs/bearer also reads) ends up in logs and, through /proxy, at a provider. The scheme name
 * is case-insensitive (RFC 7235).
 */
function tokenOf(authorization: string | null): string {
  if (!authorization) throw unauthorized(MISSING, false);
  const match = BEARER.exec(authorization);
  if (!match) throw unauthorized('Authorization header must use the Bearer scheme: Authorization: Bearer <token>', false);
  const token = (match[1] ?? '').trim();
  if (token === '') throw unauthorized(MISSING, false);
  return token;
}

/** The auth guard; mounted by createApp only when AUTH_ENABLE=true, after /health and before the routes it protects. */
export function authPlugin(auth: Config['auth'], logger: Logger, timings: AuthTimings = {}, hooks?: AuthHooks) {
  const verifier = new OidcVerifier({ ...OIDC_TIMINGS, ...timings, issuer: auth.issuer, clientId: auth.clientId }, logger);
  logger.info('OIDC bearer authentication on', { issuer: auth.issuer });
  // Read from the request itself: @elysiajs/bearer, used before, made every request build objects of its
  // headers and query string (~2% of the CPU of a chat) for a value this parses anyway.
  return new Elysia({ name: 'auth' }).onBeforeHandle({ as: 'global' }, async ({ request }) => {
    // A valid gateway API key (AUTH_API_KEYS_PATH) stands in for a token.
    if (hooks?.authenticated(request)) return;
    const claims = await verifier.verify(tokenOf(request.headers.get('authorization')));
    hooks?.verified(request, claims);
  });
}

/**
 * Asks the issuer for its discovery document once, in the background, so an issuer that cannot be reached
 * is logged at start-up ('OIDC issuer unavailable', with its URL) rather than at the first request. Its own
 * client: the guard's cooldown is not started by it.
 */
export function probeIssuer(issuer: string, logger: Logger): Promise<void> {
  return new IssuerClient(issuer, OIDC_TIMINGS, logger).resolve().then(
    () => undefined,
    () => undefined,
  );
}
