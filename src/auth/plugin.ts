/** AUTH_ENABLE: every route mounted after this plugin needs `Authorization: Bearer <JWT>` from the OIDC issuer. */
import { bearer } from '@elysiajs/bearer';
import { Elysia } from 'elysia';
import type { Config } from '../config.ts';
import type { Logger } from '../telemetry/log.ts';
import { OIDC_TIMINGS, OidcVerifier, unauthorized, type OidcOptions } from './oidc.ts';

/** Timings a caller may override (tests shorten the cooldowns). */
export type AuthTimings = Partial<Omit<OidcOptions, 'issuer' | 'clientId'>>;

const BEARER = /^bearer[ \t]+(.*)$/i;
const MISSING = 'Missing bearer token: send Authorization: Bearer <token>';

/** The token from the Authorization header; nothing else counts. */
function tokenOf(authorization: string | undefined, fromPlugin: string | undefined): string {
  if (!authorization) throw unauthorized(MISSING, false);
  // @elysiajs/bearer also reads ?access_token=, but a token in a URL ends up in logs and, through /proxy, at a
  // provider: only the header counts. The scheme name is case-insensitive (RFC 7235), the plugin's match is not.
  const match = BEARER.exec(authorization);
  if (!match) throw unauthorized('Authorization header must use the Bearer scheme: Authorization: Bearer <token>', false);
  const token = (authorization.startsWith('Bearer ') && fromPlugin !== undefined ? fromPlugin : (match[1] ?? '')).trim();
  if (token === '') throw unauthorized(MISSING, false);
  return token;
}

/** The auth guard; mounted by createApp only when AUTH_ENABLE=true, after /health and before the routes it protects. */
export function authPlugin(auth: Config['auth'], logger: Logger, timings: AuthTimings = {}) {
  const verifier = new OidcVerifier({ ...OIDC_TIMINGS, ...timings, issuer: auth.issuer, clientId: auth.clientId }, logger);
  logger.info('OIDC bearer authentication on', { issuer: auth.issuer });
  return new Elysia({ name: 'auth' })
    .use(bearer())
    .onBeforeHandle({ as: 'global' }, async ({ headers, bearer: fromPlugin }) => {
      await verifier.verify(tokenOf(headers.authorization, fromPlugin));
    });
}
