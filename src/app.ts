/** createApp(config, deps): the whole gateway as an Elysia app, with no globals. */
import { Elysia } from 'elysia';
import type { AuthTimings } from './auth/plugin.ts';
import { ModelPolicy } from './chat/policy.ts';
import type { Config } from './config.ts';
import type { GatewayContext } from './context.ts';
import { errorResponse, MESSAGES, toErrorResponse } from './errors.ts';
import { loadAuth, loadMcp, loadMetrics } from './optional.ts';
import { buildRegistry } from './providers/registry.ts';
import { finishWithError, requestLifecycle } from './server/lifecycle.ts';
import { ConnectionTimeouts } from './server/timeouts.ts';
import { chatRoutes } from './routes/chat.ts';
import { healthRoutes } from './routes/health.ts';
import { mcpToolsRoutes } from './routes/mcp-tools.ts';
import { modelsRoutes } from './routes/models.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { docsRoutes } from './routes/docs.ts';
import { createLogger, type Logger } from './telemetry/log.ts';
import type { GatewayMetrics } from './telemetry/metrics.ts';
import { Telemetry } from './telemetry/telemetry.ts';
import { ClientGoneError } from './upstream/client.ts';

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

/** Maps Elysia's own error codes to the spec's error body. */
function frameworkError(code: string | number, error: unknown, logger: Logger): Response {
  switch (code) {
    case 'NOT_FOUND':
      return errorResponse(404, MESSAGES.notFound);
    case 'PARSE':
      return errorResponse(400, 'Request body is not valid JSON');
    case 'VALIDATION':
      return errorResponse(400, 'Invalid request');
    default:
      if (error instanceof ClientGoneError) return errorResponse(499, 'Client closed request');
      return toErrorResponse(error, (err) => logger.error('unexpected error', { error: err }));
  }
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
    timeouts: {
      headerTimeoutMs: config.client.responseHeaderTimeoutMs,
      timeoutMs: config.client.timeoutMs,
      disableCompression: config.client.disableCompression,
    },
  };
  // Connects in the background: the gateway starts even when every MCP server is down.
  const mcp = config.mcp.enable ? loadMcp().startMcp(ctx) : undefined;
  const timeouts = new ConnectionTimeouts(config.server);
  const app = new Elysia({ name: 'inference-gateway' })
    // First, so it sees every route and error (its timeouts are a no-op in app.handle: no socket there).
    .use(requestLifecycle(telemetry, timeouts))
    .onError(({ code, error, request, route }) =>
      finishWithError(telemetry, timeouts, request, route, frameworkError(code, error, logger)),
    )
    .use(healthRoutes);
  // Guards every route mounted after it (everything but /health); not mounted at all when auth is off.
  if (config.auth.enable) app.use(loadAuth().authPlugin(config.auth, logger, deps.authTimings));
  return app
    .use(docsRoutes())
    .use(modelsRoutes(ctx))
    .use(chatRoutes(ctx, mcp?.runChat))
    .use(mcpToolsRoutes(mcp?.listTools))
    .onStop(() => mcp?.close())
    .use(proxyRoutes(ctx));
}

export type App = ReturnType<typeof createApp>;
