/** Builds gateways for tests: in-process (`app.handle`) or listening on port 0 for real clients. */
import { createApp } from '../../src/app.ts';
import { loadConfig, type Env } from '../../src/config.ts';
import { createLogger } from '../../src/telemetry/log.ts';

/** Every log line any test gateway wrote, so the suite can check that no secret ever appears. */
export const ALL_LOG_LINES: string[] = [];
/** Every error body an in-process test gateway returned. */
export const ALL_ERROR_BODIES: string[] = [];
/** Every key and secret any test gateway was configured with. */
export const ALL_SECRETS = new Set<string>();

function rememberSecrets(env: Env): void {
  for (const [name, value] of Object.entries(env)) {
    if (value && (name.endsWith('_API_KEY') || name.endsWith('_SECRET'))) ALL_SECRETS.add(value);
  }
}

/** Settings every test gateway starts from: no provider reachable unless a test points one at a fake. */
const BASE_ENV: Env = { OLLAMA_API_URL: 'http://127.0.0.1:9/v1', LOG_LEVEL: 'debug' };

export interface TestGateway {
  app: ReturnType<typeof createApp>;
  logs: string[];
  /** In-process request: path relative to the gateway. */
  req(path: string, init?: RequestInit): Promise<Response>;
  /** POST JSON in-process. */
  post(path: string, body: unknown, init?: RequestInit): Promise<Response>;
}

/** A gateway with its own config, called in-process. */
export function testGateway(env: Env = {}): TestGateway {
  const logs: string[] = [];
  const logger = createLogger('debug', (line) => {
    logs.push(line);
    ALL_LOG_LINES.push(line);
  });
  rememberSecrets(env);
  const app = createApp(loadConfig({ ...BASE_ENV, ...env }), { logger });
  const req = async (path: string, init?: RequestInit) => {
    const res = await app.handle(new Request(`http://localhost${path}`, init));
    if (res.status >= 400) ALL_ERROR_BODIES.push(await res.clone().text());
    return res;
  };
  return {
    app,
    logs,
    req,
    post: (path, body, init) =>
      req(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init }),
  };
}

export interface ListeningGateway extends TestGateway {
  url: string;
  stop(): Promise<void>;
}

/** A gateway listening on 127.0.0.1 port 0, for real HTTP clients and disconnects. */
export function listeningGateway(env: Env = {}): ListeningGateway {
  const gw = testGateway(env);
  gw.app.listen({ port: 0, hostname: '127.0.0.1', idleTimeout: 30 });
  const server = gw.app.server;
  if (!server) throw new Error('gateway did not listen');
  return { ...gw, url: `http://127.0.0.1:${server.port}`, stop: async () => {
      await gw.app.stop(true);
    },
  };
}

export const jsonHeaders = { 'content-type': 'application/json' };
