/** Entry point: the only place that reads the environment, listens and handles signals. */
import { createApp } from './app.ts';
import { helpText, VERSION } from './cli.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { GatewayMetrics } from './telemetry/metrics.ts';
import { startMetricsServer } from './telemetry/metrics-server.ts';

async function healthcheck(config: Config): Promise<number> {
  const scheme = config.server.tlsCertPath ? 'https' : 'http';
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  try {
    const res = await fetch(`${scheme}://${host}:${config.server.port}/health`, {
      signal: AbortSignal.timeout(3000),
      tls: { rejectUnauthorized: false },
    });
    return res.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}

function serve(config: Config): void {
  const metrics = config.telemetry.enable ? new GatewayMetrics() : undefined;
  const app = createApp(config, { metrics });
  // Its own listener: scrapers never pass the gateway's auth, and chat traffic never waits on a scrape.
  const metricsServer = metrics ? startMetricsServer(metrics, config.server.host, config.telemetry.metricsPort) : undefined;
  const tls =
    config.server.tlsCertPath && config.server.tlsKeyPath
      ? { cert: Bun.file(config.server.tlsCertPath), key: Bun.file(config.server.tlsKeyPath) }
      : undefined;
  app.listen({
    hostname: config.server.host,
    port: config.server.port,
    tls,
    // Bun counts idle time in whole seconds, at most 255.
    idleTimeout: Math.min(255, Math.max(1, Math.round(config.server.idleTimeoutMs / 1000))),
    // Our own reader enforces SERVER_MAX_BODY_SIZE with a 413 in the spec's shape; Bun's cap sits above it.
    maxRequestBodySize: config.server.maxBodyBytes + 1024 * 1024,
  });
  const server = app.server;
  if (!server) throw new Error('server did not start');
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'listening', url: server.url.href, version: VERSION })}\n`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'shutting down', signal })}\n`);
    const deadline = setTimeout(() => {
      void server.stop(true);
      process.exit(0);
    }, config.server.shutdownTimeoutMs);
    // stop(false): no new connections; in-flight requests and streams run to their end.
    void metricsServer?.stop(true);
    void server.stop(false).then(() => {
      clearTimeout(deadline);
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(argv: string[]): Promise<number | undefined> {
  const arg = argv[0];
  if (arg === '--help' || arg === '-h' || arg === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (arg === '--version' || arg === '-v' || arg === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (arg !== undefined && arg !== 'healthcheck' && arg !== 'serve') {
    process.stderr.write(`unknown argument "${arg}"; see --help\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (arg === 'healthcheck') return healthcheck(config);
  serve(config);
  return undefined;
}

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exit(code);
