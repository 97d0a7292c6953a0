/** Connection pools for provider calls, shaped by the CLIENT_* settings. */
import { constants } from 'node:crypto';
import type { Config } from '../config.ts';

/** TLS versions below the configured floor are switched off (BoringSSL option bits). */
const TLS_FLOOR: Record<Config['client']['tlsMinVersion'], number> = {
  tls12: constants.SSL_OP_NO_TLSv1 | constants.SSL_OP_NO_TLSv1_1,
  tls13: constants.SSL_OP_NO_TLSv1 | constants.SSL_OP_NO_TLSv1_1 | constants.SSL_OP_NO_TLSv1_2,
};

/**
 * One pool per provider, so the per-host idle limit applies to it; the overall limit caps it too.
 * Connections are reused across requests (keep-alive) and closed after CLIENT_IDLE_CONN_TIMEOUT.
 */
export function createUpstreamSession(client: Config['client']): Bun.FetchSession {
  return new Bun.FetchSession({
    tls: { secureOptions: TLS_FLOOR[client.tlsMinVersion] },
    keepAlive:
      client.maxIdleConnsPerHost === 0 || client.maxIdleConns === 0
        ? false
        : {
            idleTimeout: Math.max(1, Math.ceil(client.idleConnTimeoutMs / 1000)),
            maxIdleSockets: Math.min(client.maxIdleConnsPerHost, client.maxIdleConns),
          },
  });
}
