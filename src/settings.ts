/** Every setting the gateway reads: the spec's `x-config` rows plus the few the gateway adds, in one table. */
import { PROVIDER_ROWS, SPEC_SETTINGS, type ProviderRow, type SettingRow } from './spec.ts';

/**
 * Settings the spec does not (yet) list. They follow the spec's row shape so that `--help`, the README
 * table and the parser treat them exactly like the spec's own.
 */
const GATEWAY_SETTINGS: readonly SettingRow[] = [
  {
    name: 'max_body_size',
    env: 'SERVER_MAX_BODY_SIZE',
    type: 'int',
    default: '10485760',
    description: 'Largest request body accepted, in bytes (chat and proxy); larger bodies get 413 before any upstream call',
    secret: false,
    section: 'server',
  },
  {
    name: 'shutdown_timeout',
    env: 'SERVER_SHUTDOWN_TIMEOUT',
    type: 'time.Duration',
    default: '30s',
    description: 'On SIGTERM/SIGINT, how long in-flight requests and streams may run before the process exits',
    secret: false,
    section: 'server',
  },
  {
    name: 'soft_memory_limit_mb',
    env: 'SERVER_SOFT_MEMORY_LIMIT_MB',
    type: 'int',
    default: '0',
    description:
      'Resident memory, in MB, above which the gateway runs full garbage collections (at most 4 a second, ~10% of the time) so that memory held by finished requests is freed; 0 (the default) leaves it to the runtime, which keeps tail latency lower',
    secret: false,
    section: 'server',
  },
  {
    name: 'models_list_timeout',
    env: 'MODELS_LIST_TIMEOUT',
    type: 'time.Duration',
    default: '10s',
    description: 'Deadline for GET /v1/models; providers that have not answered by then are left out (and logged)',
    secret: false,
    section: 'client',
  },
  {
    name: 'mcp_max_iterations',
    env: 'MCP_MAX_ITERATIONS',
    type: 'int',
    default: '10',
    description: 'Most model calls in one chat while the gateway runs MCP tools for it; the last answer is returned when reached',
    secret: false,
    section: 'mcp',
  },
  {
    name: 'mcp_include_tools',
    env: 'MCP_INCLUDE_TOOLS',
    type: 'string',
    description: 'Comma-separated MCP tool names (`*` wildcards) offered to models; empty offers every tool',
    secret: false,
    section: 'mcp',
  },
  {
    name: 'mcp_exclude_tools',
    env: 'MCP_EXCLUDE_TOOLS',
    type: 'string',
    description: 'Comma-separated MCP tool names (`*` wildcards) never offered to models; applied after MCP_INCLUDE_TOOLS',
    secret: false,
    section: 'mcp',
  },
  {
    name: 'mcp_hide_tool_calls',
    env: 'MCP_HIDE_TOOL_CALLS',
    type: 'bool',
    default: 'false',
    description:
      "Hold the chunks of the MCP tool calls the gateway runs back from streamed chats (for agent frameworks that would try to run unknown tools); a request's X-MCP-Tool-Calls: hide|show wins",
    secret: false,
    section: 'mcp',
  },
  {
    name: 'limits_config_path',
    env: 'LIMITS_CONFIG_PATH',
    type: 'string',
    description: 'YAML or JSON file of rate limits per caller, team or everyone (requests and tokens per minute, tokens per day); see "Limits and gateway API keys". Re-read on SIGHUP',
    secret: false,
    section: 'auth',
  },
  {
    name: 'auth_api_keys_path',
    env: 'AUTH_API_KEYS_PATH',
    type: 'string',
    description: 'YAML or JSON file of gateway API keys, stored as hex SHA-256, each with a caller and optional team; when set, a request needs one of them (or, with AUTH_ENABLE, a valid token). Re-read on SIGHUP',
    secret: false,
    section: 'auth',
  },
  {
    name: 'redis_url',
    env: 'REDIS_URL',
    type: 'string',
    description: 'redis:// or rediss:// URL (password and database number in it) where every replica keeps the limit counters; unset keeps them in memory, for one process',
    secret: true,
    section: 'auth',
  },
  {
    name: 'limits_fail_mode',
    env: 'LIMITS_FAIL_MODE',
    type: 'string',
    default: 'open',
    description: 'When Redis cannot be reached: open serves without limits (logged once per outage, counted), closed answers 503',
    secret: false,
    section: 'auth',
  },
  {
    name: 'log_level',
    env: 'LOG_LEVEL',
    type: 'string',
    default: 'info',
    description: 'Lowest level logged: debug, info, warn or error (debug is implied by ENVIRONMENT=development)',
    secret: false,
    section: 'general',
  },
  {
    name: 'cloudflare_account_id',
    env: 'CLOUDFLARE_ACCOUNT_ID',
    type: 'string',
    description: 'Cloudflare account id, filled into {ACCOUNT_ID} of the Cloudflare API URL',
    secret: false,
    section: 'providers',
  },
  {
    name: 'routing_config_path',
    env: 'ROUTING_CONFIG_PATH',
    type: 'string',
    description: 'YAML or JSON file of model aliases over provider deployments, with retries, fallbacks, circuit breakers and mid-stream continuation (see "Routing and failover"); the Go gateway\'s routing file works unchanged. Re-read on SIGHUP',
    secret: false,
    section: 'routing',
  },
  {
    name: 'routing_enabled',
    env: 'ROUTING_ENABLED',
    type: 'bool',
    default: 'true',
    description: 'Set to false to ignore ROUTING_CONFIG_PATH (every request is then one attempt at one provider, as without a routing file)',
    secret: false,
    section: 'routing',
  },
];

/**
 * `<ID>_API_URL` and `<ID>_API_KEY` of a provider row, shaped like the spec's own provider settings, so a
 * provider added to `x-provider-configs` alone is configurable (a provider is one row).
 */
function providerSettings(row: ProviderRow): SettingRow[] {
  const prefix = row.id.toUpperCase();
  return [
    { name: `${row.id}_api_url`, env: `${prefix}_API_URL`, type: 'string', default: row.url, description: `${row.id} API URL`, secret: false, section: 'providers' },
    { name: `${row.id}_api_key`, env: `${prefix}_API_KEY`, type: 'string', description: `${row.id} API Key`, secret: true, section: 'providers' },
  ];
}

const SPEC_ENVS = new Set(SPEC_SETTINGS.map((s) => s.env));
/** Provider settings the spec's x-config does not list already (none today; any provider added to the spec later). */
const DERIVED_PROVIDER_SETTINGS = PROVIDER_ROWS.flatMap(providerSettings).filter((s) => !SPEC_ENVS.has(s.env));

/** All settings, spec first. */
export const SETTINGS: readonly SettingRow[] = [...SPEC_SETTINGS, ...DERIVED_PROVIDER_SETTINGS, ...GATEWAY_SETTINGS];
