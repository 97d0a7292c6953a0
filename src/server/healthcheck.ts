/** `inference-gateway healthcheck`: for containers without a shell or curl. */
import type { Config } from '../config.ts';

const TIMEOUT_MS = 3000;

/** Where the local server answers, from the same settings the server reads (any-address → loopback). */
export function localHealthUrl(server: Config['server']): string {
  const scheme = server.tlsCertPath ? 'https' : 'http';
  const host = server.host === '' || server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${server.port}/health`;
}

/** Exit code: 0 when GET /health answers 200 within 3 s, 1 otherwise. */
export async function healthcheck(server: Config['server']): Promise<number> {
  try {
    const res = await fetch(localHealthUrl(server), {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // The certificate names the public host, not loopback; this only asks "is it up?".
      tls: { rejectUnauthorized: false },
    });
    return res.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}
