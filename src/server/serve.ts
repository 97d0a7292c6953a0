/** Starts the gateway as configured: the HTTP(S) listener, the metrics listener, and the graceful stop. */
import { configSecrets, createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../telemetry/log.ts';
import { loadAuth, loadMetrics, loadMetricsServer } from '../optional.ts';
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

/** Thrown when a listener cannot be opened; its message names the settings that chose the address. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** Runs `start`, turning Bun's bare "EINVAL: invalid argument, listen" into a message naming `settings`. */
function listening<T>(settings: string, start: () => T): T {
  try {
    return start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' && !message.includes(err.code) ? ` (${err.code})` : '';
    throw new ListenError(`cannot listen on ${settings}: ${message}${code}`);
  }
}

/** Listens until SIGTERM/SIGINT. Throws ConfigError for unusable TLS files, ListenError when an address cannot be listened on. */
export function serve(config: Config): void {
  const logger = createLogger(config.logLevel, undefined, configSecrets(config));
  for (const warning of config.warnings) logger.warn(warning);
  const tls = loadTls(config.server);
  const metrics = config.telemetry.enable ? new (loadMetrics().GatewayMetrics)() : undefined;
  const app = createApp(config, { logger, metrics });
  const { host, port } = config.server;
  const address = `SERVER_HOST=${host}, SERVER_PORT=${port}${tls ? ' (TLS from SERVER_TLS_CERT_PATH, SERVER_TLS_KEY_PATH)' : ''}`;
  listening(address, () => app.listen({
    hostname: host,
    port,
    tls,
    // A second copy on the same port must fail loudly, not quietly share the traffic.
    reusePort: false,
    // Per request the timers are set in timeouts.ts; this is the same after-response limit, for any path they miss.
    idleTimeout: afterResponseSeconds(config.server),
    // Bun's own cap answers an empty 413 (no JSON, no content type) before the app sees the request, so it is
    // lifted: the gateway's body readers enforce SERVER_MAX_BODY_SIZE (declared or streamed) with the spec's 413.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  }));
  const server = app.server;
  if (!server) throw new Error('server did not start');
  // Its own listener: scrapers never pass the gateway's auth, and chat traffic never waits on a scrape.
  const metricsPort = config.telemetry.metricsPort;
  const metricsServer = metrics
    ? listening(`SERVER_HOST=${host}, TELEMETRY_METRICS_PORT=${metricsPort}`, () => loadMetricsServer().startMetricsServer(metrics, host, metricsPort))
    : undefined;
  logger.info('listening', { url: server.url.href, version: VERSION, commit: COMMIT, metrics_port: metricsServer?.port });
  // Without blocking start-up: an issuer that cannot be reached is logged now, not at the first request.
  if (config.auth.enable) loadAuth().probeIssuer(config.auth.issuer, logger);
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
