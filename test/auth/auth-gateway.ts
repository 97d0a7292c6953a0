/** Gateways with AUTH_ENABLE=true against a test issuer, called in-process, with the user's token when given. */
import type { AuthTimings } from '../../src/auth/plugin.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig, type Env } from '../../src/config.ts';
import { createLogger } from '../../src/telemetry/log.ts';
import { ALL_LOG_LINES } from '../helpers/gateway.ts';

export const CLIENT_ID = 'inference-gateway-client';

export interface AuthGateway {
  logs: string[];
  /** In-process request; `token` goes in `Authorization: Bearer`. */
  req(path: string, token?: string, init?: RequestInit): Promise<Response>;
}

/** A gateway guarding its routes with tokens from `issuer`; `timings` shortens the cooldowns. */
export function authGateway(issuer: string, env: Env = {}, timings: AuthTimings = {}): AuthGateway {
  const logs: string[] = [];
  const logger = createLogger('debug', (line) => {
    logs.push(line);
    ALL_LOG_LINES.push(line);
  });
  const config = loadConfig({
    OLLAMA_API_URL: 'http://127.0.0.1:9/v1',
    AUTH_ENABLE: 'true',
    AUTH_OIDC_ISSUER: issuer,
    AUTH_OIDC_CLIENT_ID: CLIENT_ID,
    ...env,
  });
  const app = createApp(config, { logger, authTimings: timings });
  return {
    logs,
    req: (path, token, init = {}) => {
      const headers = new Headers(init.headers);
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
      return app.handle(new Request(`http://localhost${path}`, { ...init, headers }));
    },
  };
}

/** Asserts nothing about the response here; returns what a 401/503 test looks at. */
export async function refusal(res: Response): Promise<{ status: number; error: string; challenge: string | null; text: string }> {
  const text = await res.text();
  const body = JSON.parse(text) as { error: string };
  return { status: res.status, error: body.error, challenge: res.headers.get('www-authenticate'), text };
}
