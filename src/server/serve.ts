/** Starts the gateway as configured: the HTTP(S) listener, the metrics listener, and the graceful stop. */
import { configSecrets, createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../telemetry/log.ts';
import { loadMetrics, loadMetricsServer } from '../optional.ts';
import { VERSION } from '../cli.ts';
import { COMMIT } from './build-info.ts';
import { drainOnSignals } from './shutdown.ts';
import { afterResponseSeconds, MAX_TIMEOUT_MS } from './timeouts.ts';
import { loadTls } from './tls.ts';
import { keepMemoryNear } from './memory.ts';

const TIMEOUT_SETTINGS = {
  SERVER_READ_TIMEOUT: 'readTimeoutMs',
  SERVER_WRITE_TIMEOUT: 'writeTimeoutMs',
  SERVER_IDLE_TIMEOUT: 'idleTimeoutMs',
} as const;

/** Listens until SIGTERM/SIGINT. Throws ConfigError for unusable TLS files, and whatever Bun throws on listen. */
export function serve(config: Config): void {
  const logger = createLogger(config.logLevel, undefined, configSecrets(config));
  const tls = loadTls(config.server);
  const metrics = config.telemetry.enable ? new (loadMetrics().GatewayMetrics)() : undefined;
  const app = createApp(config, { logger, metrics });
  app.listen({
    hostname: config.server.host,
    port: config.server.port,
    tls,
    // A second copy on the same port must fail loudly, not quietly share the traffic.
    reusePort: false,
    // Per request the timers are set in timeouts.ts; this is the same after-response limit, for any path they miss.
    idleTimeout: afterResponseSeconds(config.server),
    // Our own reader enforces SERVER_MAX_BODY_SIZE with a 413 in the spec's shape; Bun's cap sits above it.
    maxRequestBodySize: config.server.maxBodyBytes + 1024 * 1024,
  });
  const server = app.server;
  if (!server) throw new Error('server did not start');
  // Its own listener: scrapers never pass the gateway's auth, and chat traffic never waits on a scrape.
  const metricsServer = metrics ? loadMetricsServer().startMetricsServer(metrics, config.server.host, config.telemetry.metricsPort) : undefined;
  logger.info('listening', { url: server.url.href, version: VERSION, commit: COMMIT, metrics_port: metricsServer?.port });
  const stopMemoryWatch = keepMemoryNear(config.server.softMemoryLimitBytes);
  for (const [env, ms] of Object.entries(TIMEOUT_SETTINGS)) {
    if (config.server[ms] > MAX_TIMEOUT_MS) logger.warn('timeout above what Bun can count: no limit', { setting: env, max_ms: MAX_TIMEOUT_MS });
  }
  drainOnSignals({
    graceful: async () => {
      stopMemoryWatch();
      await app.stop(false);
    },
    force: () => void server.stop(true),
    others: metricsServer ? [metricsServer] : [],
    timeoutMs: config.server.shutdownTimeoutMs,
    logger,
  });
}
