/** createApp(config, deps): the whole gateway as an Elysia app, with no globals. */
import { Elysia } from 'elysia';
import type { AuthTimings } from './auth/plugin.ts';
import { ModelPolicy } from './chat/policy.ts';
import type { Config } from './config.ts';
import type { GatewayContext } from './context.ts';
import { asGatewayError, GatewayError, MESSAGES, renderSpecError } from './errors.ts';
import { RequestBodies } from './http/body.ts';
import { loadAuth, loadLimits, loadMcp, loadMetrics, loadRouting } from './optional.ts';
import { buildRegistry } from './providers/registry.ts';
import { finishWithError, requestLifecycle } from './server/lifecycle.ts';
import { ConnectionTimeouts } from './server/timeouts.ts';
import { chatRoutes, relayOnce, routedRunner } from './routes/chat.ts';
import { embeddingsRoutes } from './routes/embeddings.ts';
import { messagesRoutes } from './routes/messages.ts';
import { responsesRoutes } from './routes/responses.ts';
import { RedisResponseStore } from './protocols/responses/redis-store.ts';
import { MemoryResponseStore, type ResponseStore } from './protocols/responses/store.ts';
import { rendererFor } from './protocols/anthropic/errors.ts';
import { healthRoutes } from './routes/health.ts';
import { mcpToolsRoutes } from './routes/mcp-tools.ts';
import { modelsRoutes } from './routes/models.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { docsRoutes } from './routes/docs.ts';
import { createLogger, type Logger } from './telemetry/log.ts';
import type { GatewayMetrics } from './telemetry/metrics.ts';
import { Telemetry } from './telemetry/telemetry.ts';

export interface AppDeps {
  logger?: Logger;
  /** Metrics to record into; main.ts serves them on TELEMETRY_METRICS_PORT. Made here when telemetry is on. */
  metrics?: GatewayMetrics;
  /** OIDC cooldowns and timeouts, when the defaults do not fit (tests shorten them). */
  authTimings?: AuthTimings;
}

/** Every secret the config holds, so the logger can mask any that slips through. */
export function configSecrets(config: Config): string[] {
  const keys = config.providers.flatMap((p) => (p.apiKey ? [p.apiKey] : []));
  return config.auth.clientSecret ? [...keys, config.auth.clientSecret] : keys;
}

/** Elysia's own error codes and anything thrown, as one GatewayError; unexpected ones are logged with their cause. */
function gatewayErrorOf(code: string | number, error: unknown, logger: Logger): GatewayError {
  switch (code) {
    case 'NOT_FOUND':
      return new GatewayError(404, 'not_found', MESSAGES.notFound);
    case 'PARSE':
      return new GatewayError(400, 'invalid_request', 'Request body is not valid JSON');
    case 'VALIDATION':
      return new GatewayError(400, 'invalid_request', 'Invalid request');
    default: {
      const err = asGatewayError(error);
      if (err.code === 'internal') logger.error('unexpected error', { error: err.cause instanceof Error ? err.cause : String(err.cause), reason: err.reason });
      return err;
    }
  }
}

/** Where `previous_response_id` looks: Redis when REDIS_URL is set (shared by replicas), else this process. */
function conversationStore(config: Config, logger: Logger): ResponseStore {
  const url = config.limits.redisUrl;
  if (!url) return new MemoryResponseStore();
  let failing = false;
  return new RedisResponseStore(url, (what, code) => {
    // Once per outage, not per request.
    if (failing) return;
    failing = true;
    logger.warn('conversation store (Redis) failed', { operation: what, error_code: 'store_unavailable', reason: code });
    setTimeout(() => (failing = false), 10_000).unref();
  });
}

/** Builds the gateway from a config. */
export function createApp(config: Config, deps: AppDeps = {}) {
  const logger = deps.logger ?? createLogger(config.logLevel, undefined, configSecrets(config));
  const metrics = deps.metrics ?? (config.telemetry.enable ? new (loadMetrics().GatewayMetrics)() : undefined);
  const telemetry = new Telemetry(logger, metrics);
  const ctx: GatewayContext = {
    config,
    telemetry,
    registry: buildRegistry(config),
    policy: new ModelPolicy(config),
    logger,
    bodies: new RequestBodies(config.server.maxBodyBytes),
    exchanges: {
      timeouts: {
        headerTimeoutMs: config.client.responseHeaderTimeoutMs,
        timeoutMs: config.client.timeoutMs,
        disableCompression: config.client.disableCompression,
      },
      onDropped: (provider, why) => {
        logger.warn('malformed stream event dropped', { provider: provider.id, error_code: 'upstream_invalid', reason: why });
        telemetry.droppedEvent(provider.id);
      },
    },
  };
  // Aliases, retries and failover; a bad routing file stops start-up here (ConfigError).
  const routing = config.routing.configPath ? loadRouting().mountRouting(ctx, config.routing.configPath) : undefined;
  ctx.routing = routing?.feature;
  const plain = routing ? routedRunner(routing.feature) : relayOnce;
  // Connects in the background: the gateway starts even when every MCP server is down.
  const mcp = config.mcp.enable ? loadMcp().startMcp(ctx, plain) : undefined;
  const timeouts = new ConnectionTimeouts(config.server);
  const app = new Elysia({ name: 'inference-gateway' })
    // First, so it sees every route and error (its timeouts are a no-op in app.handle: no socket there).
    .use(requestLifecycle(telemetry, timeouts))
    .onError(({ code, error, request, route }) => finishWithError(telemetry, timeouts, request, route, gatewayErrorOf(code, error, logger), rendererFor(request, renderSpecError)))
    .use(healthRoutes);
  // Gateway API keys and limits: built before the OIDC guard (a key stands in for a token), mounted after it (claims known).
  const limits = config.limits.configPath || config.limits.apiKeysPath ? loadLimits().limitsFeature(ctx) : undefined;
  // Guards every route mounted after it (everything but /health); not mounted at all when auth is off.
  if (config.auth.enable) app.use(loadAuth().authPlugin(config.auth, logger, deps.authTimings, limits?.authHooks));
  if (limits) app.use(limits.plugin);
  const responseStore = conversationStore(config, logger);
  return app
    .use(docsRoutes())
    .use(modelsRoutes(ctx, routing?.feature))
    .use(chatRoutes(ctx, mcp?.runChat ?? plain, routing?.feature))
    .use(messagesRoutes(ctx))
    .use(responsesRoutes(ctx, { store: responseStore }))
    .use(embeddingsRoutes(ctx))
    .use(mcpToolsRoutes(mcp?.listTools))
    .onStart(() => routing?.listen())
    .onStop(async () => {
      routing?.stop();
      if (responseStore instanceof RedisResponseStore) responseStore.close();
      await mcp?.close();
      logger.flush();
    })
    .use(proxyRoutes(ctx));
}

export type App = ReturnType<typeof createApp>;
