/** Turns the environment into a typed Config, by the settings table; every bad variable is reported at once. */
import { checkCombinations, configWarnings, httpUrlProblem } from './config-checks.ts';
import { SettingsReader, type Env } from './settings-reader.ts';
import { PROVIDER_ROWS } from './spec.ts';

export type { Env };

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const TLS_VERSIONS = ['tls12', 'tls13'] as const;
const FAIL_MODES = ['open', 'closed'] as const;

/** A provider's env-derived settings (`<ID>_API_URL`, `<ID>_API_KEY`). */
export interface ProviderSettings {
  id: string;
  url: string;
  /** `<ID>_API_URL` was given (not the spec's default). */
  urlSet: boolean;
  apiKey?: string;
}

/** The whole configuration, typed; built only by loadConfig. */
export interface Config {
  environment: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  allowedModels: string[];
  disallowedModels: string[];
  enableVision: boolean;
  debug: { truncateWords: number; maxMessages: number };
  telemetry: { enable: boolean; metricsPort: number };
  mcp: {
    enable: boolean;
    expose: boolean;
    servers: string[];
    clientTimeoutMs: number;
    dialTimeoutMs: number;
    tlsHandshakeTimeoutMs: number;
    /** Read and validated; the MCP client never sends `Expect: 100-continue`, so nothing waits on it. */
    expectContinueTimeoutMs: number;
    requestTimeoutMs: number;
    responseHeaderTimeoutMs: number;
    maxRetries: number;
    retryIntervalMs: number;
    initialBackoffMs: number;
    enableReconnect: boolean;
    reconnectIntervalMs: number;
    pollingEnable: boolean;
    pollingIntervalMs: number;
    pollingTimeoutMs: number;
    disableHealthcheckLogs: boolean;
    /** Most model calls of one chat's agent loop. */
    maxIterations: number;
    includeTools: string[];
    excludeTools: string[];
    /** Streamed chats hold the MCP tool-call chunks back (MCP_HIDE_TOOL_CALLS). */
    hideToolCalls: boolean;
  };
  auth: { enable: boolean; issuer: string; clientId: string; clientSecret?: string };
  /** Limits and gateway API keys (src/limits/); mounted only when a limits or keys file is named. */
  limits: { configPath?: string; apiKeysPath?: string; redisUrl?: string; failMode: 'open' | 'closed' };
  /** ROUTING_CONFIG_PATH, unless ROUTING_ENABLED=false. */
  routing: { configPath?: string };
  server: {
    host: string;
    port: number;
    readTimeoutMs: number;
    writeTimeoutMs: number;
    idleTimeoutMs: number;
    tlsCertPath?: string;
    tlsKeyPath?: string;
    maxBodyBytes: number;
    shutdownTimeoutMs: number;
    /** 0: no limit. */
    softMemoryLimitBytes: number;
  };
  client: {
    timeoutMs: number;
    responseHeaderTimeoutMs: number;
    disableCompression: boolean;
    maxIdleConns: number;
    maxIdleConnsPerHost: number;
    idleConnTimeoutMs: number;
    tlsMinVersion: 'tls12' | 'tls13';
    /** Read and validated; the gateway never sends `Expect: 100-continue`, so nothing waits on it. */
    expectContinueTimeoutMs: number;
    modelsListTimeoutMs: number;
  };
  providers: ProviderSettings[];
  cloudflareAccountId?: string;
  /** Settings that start but look unintended (e.g. MCP_SERVERS without MCP_ENABLE); serve() logs them at start-up. */
  warnings: string[];
}

/** Thrown when the environment holds values the gateway cannot run with; lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function readProviders(r: SettingsReader): ProviderSettings[] {
  return PROVIDER_ROWS.map((row) => {
    const prefix = row.id.toUpperCase();
    const env = `${prefix}_API_URL`;
    // Unset, its default: the spec's x-config row, or the provider row's url for rows derived from it.
    const url = r.optionalString(env) ?? row.url;
    const problem = httpUrlProblem(env, url.replace('{ACCOUNT_ID}', 'account'));
    if (problem) r.problems.push(problem);
    return { id: row.id, url, urlSet: r.isSet(env), apiKey: r.optionalString(`${prefix}_API_KEY`) };
  });
}

/** Builds the Config from an environment (process.env in main.ts, a plain object in tests). */
export function loadConfig(env: Env): Config {
  const r = new SettingsReader(env);
  const environment = r.string('ENVIRONMENT');
  const config: Config = {
    environment,
    logLevel: environment === 'development' && !env.LOG_LEVEL ? 'debug' : r.oneOf('LOG_LEVEL', LOG_LEVELS),
    allowedModels: r.list('ALLOWED_MODELS'),
    disallowedModels: r.list('DISALLOWED_MODELS'),
    enableVision: r.bool('ENABLE_VISION'),
    debug: { truncateWords: r.int('DEBUG_CONTENT_TRUNCATE_WORDS'), maxMessages: r.int('DEBUG_MAX_MESSAGES') },
    telemetry: { enable: r.bool('TELEMETRY_ENABLE'), metricsPort: r.port('TELEMETRY_METRICS_PORT') },
    mcp: {
      enable: r.bool('MCP_ENABLE'),
      expose: r.bool('MCP_EXPOSE'),
      servers: r.list('MCP_SERVERS'),
      clientTimeoutMs: r.durationMs('MCP_CLIENT_TIMEOUT'),
      dialTimeoutMs: r.durationMs('MCP_DIAL_TIMEOUT'),
      tlsHandshakeTimeoutMs: r.durationMs('MCP_TLS_HANDSHAKE_TIMEOUT'),
      expectContinueTimeoutMs: r.durationMs('MCP_EXPECT_CONTINUE_TIMEOUT'),
      requestTimeoutMs: r.durationMs('MCP_REQUEST_TIMEOUT'),
      responseHeaderTimeoutMs: r.durationMs('MCP_RESPONSE_HEADER_TIMEOUT'),
      maxRetries: r.int('MCP_MAX_RETRIES'),
      retryIntervalMs: r.durationMs('MCP_RETRY_INTERVAL'),
      initialBackoffMs: r.durationMs('MCP_INITIAL_BACKOFF'),
      enableReconnect: r.bool('MCP_ENABLE_RECONNECT'),
      reconnectIntervalMs: r.durationMs('MCP_RECONNECT_INTERVAL'),
      pollingEnable: r.bool('MCP_POLLING_ENABLE'),
      pollingIntervalMs: r.durationMs('MCP_POLLING_INTERVAL'),
      pollingTimeoutMs: r.durationMs('MCP_POLLING_TIMEOUT'),
      disableHealthcheckLogs: r.bool('MCP_DISABLE_HEALTHCHECK_LOGS'),
      maxIterations: r.int('MCP_MAX_ITERATIONS', 1),
      includeTools: r.list('MCP_INCLUDE_TOOLS'),
      excludeTools: r.list('MCP_EXCLUDE_TOOLS'),
      hideToolCalls: r.bool('MCP_HIDE_TOOL_CALLS'),
    },
    auth: {
      enable: r.bool('AUTH_ENABLE'),
      // Unset means the spec's default; set but empty means "no issuer" (refused below when auth is on).
      issuer: env.AUTH_OIDC_ISSUER?.trim() === '' ? '' : r.string('AUTH_OIDC_ISSUER').trim(),
      clientId: env.AUTH_OIDC_CLIENT_ID?.trim() === '' ? '' : r.string('AUTH_OIDC_CLIENT_ID').trim(),
      clientSecret: r.optionalString('AUTH_OIDC_CLIENT_SECRET'),
    },
    routing: { configPath: r.bool('ROUTING_ENABLED') ? r.optionalString('ROUTING_CONFIG_PATH') : undefined },
    limits: {
      configPath: r.optionalString('LIMITS_CONFIG_PATH'),
      apiKeysPath: r.optionalString('AUTH_API_KEYS_PATH'),
      redisUrl: r.optionalString('REDIS_URL'),
      failMode: r.oneOf('LIMITS_FAIL_MODE', FAIL_MODES),
    },
    server: {
      host: r.string('SERVER_HOST'),
      port: r.port('SERVER_PORT'),
      readTimeoutMs: r.durationMs('SERVER_READ_TIMEOUT'),
      writeTimeoutMs: r.durationMs('SERVER_WRITE_TIMEOUT'),
      idleTimeoutMs: r.durationMs('SERVER_IDLE_TIMEOUT'),
      tlsCertPath: r.optionalString('SERVER_TLS_CERT_PATH'),
      tlsKeyPath: r.optionalString('SERVER_TLS_KEY_PATH'),
      maxBodyBytes: r.int('SERVER_MAX_BODY_SIZE', 1),
      shutdownTimeoutMs: r.durationMs('SERVER_SHUTDOWN_TIMEOUT'),
      softMemoryLimitBytes: r.int('SERVER_SOFT_MEMORY_LIMIT_MB') * 1024 * 1024,
    },
    client: {
      timeoutMs: r.durationMs('CLIENT_TIMEOUT'),
      responseHeaderTimeoutMs: r.durationMs('CLIENT_RESPONSE_HEADER_TIMEOUT'),
      disableCompression: r.bool('CLIENT_DISABLE_COMPRESSION'),
      maxIdleConns: r.int('CLIENT_MAX_IDLE_CONNS'),
      maxIdleConnsPerHost: r.int('CLIENT_MAX_IDLE_CONNS_PER_HOST'),
      idleConnTimeoutMs: r.durationMs('CLIENT_IDLE_CONN_TIMEOUT'),
      tlsMinVersion: r.oneOf('CLIENT_TLS_MIN_VERSION', TLS_VERSIONS),
      expectContinueTimeoutMs: r.durationMs('CLIENT_EXPECT_CONTINUE_TIMEOUT'),
      modelsListTimeoutMs: r.durationMs('MODELS_LIST_TIMEOUT'),
    },
    providers: readProviders(r),
    cloudflareAccountId: r.optionalString('CLOUDFLARE_ACCOUNT_ID'),
    warnings: [],
  };
  checkCombinations(config, r.problems);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  config.warnings = configWarnings(config);
  return config;
}
