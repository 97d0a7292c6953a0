/**
 * LIMITS_CONFIG_PATH / AUTH_API_KEYS_PATH: gateway API keys, limits per caller, team or everyone before
 * anything reaches a provider, OpenAI's rate-limit headers on answers, and `GET /v1/limits`. Mounted by
 * createApp only when one of the two is set, after the OIDC plugin (whose verified claims it reads).
 */
import { Elysia } from 'elysia';
import { ApiKeys } from '../auth/api-keys.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { readLimitedText } from '../http/body.ts';
import { LimitsGate } from './gate.ts';
import type { Limiter } from './limiter.ts';
import { limitsMetrics } from './metrics.ts';
import { tokenReservation } from './reservation.ts';
import { createLimiter, reloadLimits, type LimitsDeps } from './setup.ts';

/** What the OIDC plugin calls, so a gateway key can stand in for a token and verified claims reach the limits. */
export interface AuthHooks {
  /** True when the request holds a valid gateway key (the token check is then skipped); throws 401 for a wrong one. */
  authenticated(request: Request): boolean;
  /** The claims of a token just verified for this request. */
  verified(request: Request, claims: Record<string, unknown>): void;
}

/** Limited routes with a JSON body: their answer's default token cap (embeddings answer with vectors, not tokens). */
const JSON_ROUTES: Record<string, number | undefined> = {
  '/v1/chat/completions': undefined,
  '/v1/messages': undefined,
  '/v1/responses': undefined,
  '/v1/embeddings': 0,
};
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** What a limited request asks for: the model as the client named it, and the tokens to reserve. */
async function askedFor(ctx: GatewayContext, request: Request, path: string, limiter: Limiter): Promise<{ model?: string; tokens: number }> {
  const jsonRoute = path in JSON_ROUTES;
  const cap = jsonRoute ? (JSON_ROUTES[path] ?? limiter.defaultMaxTokens) : limiter.defaultMaxTokens;
  // Reading a copy of the body costs ~0.06 ms; a file of request limits alone needs neither model nor tokens.
  if (!limiter.readsBody) return { tokens: 0 };
  const isJson = jsonRoute || (request.headers.get('content-type') ?? '').includes('json');
  if (!BODY_METHODS.has(request.method) || !isJson) return { tokens: BODY_METHODS.has(request.method) ? cap : 0 };
  // A JSON route's body is read once, shared with the route; the proxy passes its bytes on, so it gets a
  // copy. Over SERVER_MAX_BODY_SIZE either throws the route's own 413.
  const text = jsonRoute ? await ctx.bodies.text(request) : await readLimitedText(request.clone(), ctx.config.server.maxBodyBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { tokens: cap }; // the route answers 400 for it
  }
  const model = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).model : undefined;
  return { ...(typeof model === 'string' ? { model } : {}), tokens: tokenReservation(body, text.length, cap) };
}

/** Builds the limits feature of one app; throws ConfigError for a bad limits or keys file, or REDIS_URL. */
export function limitsFeature(ctx: GatewayContext, deps: Partial<LimitsDeps> = {}) {
  const { config, logger, telemetry } = ctx;
  const settings = config.limits;
  const observer = deps.observer ?? (telemetry.metrics ? limitsMetrics(telemetry.metrics.registry) : undefined);
  const limiter = settings.configPath
    ? createLimiter({ configPath: settings.configPath, redisUrl: settings.redisUrl, failMode: settings.failMode }, { ...deps, logger, ...(observer ? { observer } : {}) })
    : undefined;
  const apiKeys = settings.apiKeysPath ? new ApiKeys(settings.apiKeysPath) : undefined;
  if (apiKeys) logger.info('gateway API keys on', { keys: apiKeys.size });
  const gate = new LimitsGate({ ...(limiter ? { limiter } : {}), ...(apiKeys ? { apiKeys } : {}), authEnabled: config.auth.enable });
  const claims = new WeakMap<Request, Record<string, unknown>>();
  let server: { requestIP(request: Request): { address: string } | null } | undefined;
  const identify = (request: Request) => gate.identify(request, claims.get(request), () => server?.requestIP(request)?.address ?? 'unknown');

  const reload = () => {
    if (settings.configPath && limiter) {
      const r = reloadLimits(limiter, settings.configPath);
      if (r.ok) logger.info('limits file reloaded', { rules: r.rules });
      else logger.warn('limits file not reloaded; the rules in force stay', { problems: r.problems });
    }
    if (apiKeys) {
      const r = apiKeys.reload();
      if (r.ok) logger.info('API keys file reloaded', { keys: r.keys });
      else logger.warn('API keys file not reloaded; the keys in force stay', { problems: r.problems });
    }
  };

  const plugin = new Elysia({ name: 'limits' })
    .onStart(({ server: s }) => {
      server = s ?? undefined;
      process.on('SIGHUP', reload);
    })
    .onStop(() => {
      process.off('SIGHUP', reload);
      limiter?.close();
    })
    .onBeforeHandle({ as: 'global' }, async ({ request, path }) => {
      // With AUTH_ENABLE the OIDC plugin has already asked (authHooks); without it the key is checked here.
      if (!config.auth.enable) gate.checkKey(request);
      if (!limiter) return;
      if (!(path in JSON_ROUTES && request.method === 'POST') && !path.startsWith('/proxy/')) return;
      const asked = await askedFor(ctx, request, path, limiter);
      const admission = await gate.admit(identify(request), asked.model, asked.tokens);
      // Every request has its record (the lifecycle starts it). Routes that build their Response with
      // withRequestId add these headers at construction: cheaper than setting them after.
      const rec = telemetry.records.get(request);
      if (!rec) return;
      rec.headers = admission.headers;
      if (admission.ticket) {
        // Once the answer is over (a stream's last byte included), the reservation becomes the real usage.
        rec.onFinish = (facts) => {
          const reported = facts.inputTokens !== undefined || facts.outputTokens !== undefined;
          // No usage: a failed request (or one that never reached a provider) used nothing; a proxied
          // answer, which the gateway does not read, keeps its reservation rather than count as free.
          const failed = rec.error !== undefined || (rec.status ?? 0) >= 400 || rec.exchanges.length === 0;
          gate.settle(admission.ticket, reported ? (facts.inputTokens ?? 0) + (facts.outputTokens ?? 0) : failed ? 0 : undefined);
        };
      }
    })
    .onAfterHandle({ as: 'global' }, ({ request, response }) => {
      const rec = telemetry.records.get(request);
      if (!rec?.headers || rec.stamped || !(response instanceof Response)) return;
      for (const [name, value] of Object.entries(rec.headers)) response.headers.set(name, value);
    })
    .get('/v1/limits', async ({ request }) => {
      const identity = identify(request);
      if (!limiter) return { caller: identity.caller, teams: identity.teams, identity_source: identity.source, store: 'ok', rules: [] };
      const usage = await limiter.usage(identity);
      if ('outcome' in usage) throw new GatewayError(503, 'limits_unavailable', 'Rate limits cannot be read right now; try again shortly', { reason: `limits store: ${usage.reason}` });
      return usage;
    });

  const authHooks: AuthHooks = {
    authenticated: (request) => gate.checkKey(request),
    verified: (request, payload) => claims.set(request, payload),
  };
  return { plugin, authHooks };
}

/** The plugin and the hooks createApp hands to the OIDC plugin. */
export type LimitsFeature = ReturnType<typeof limitsFeature>;
