import { describe, expect, test } from 'bun:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { parseDuration } from '../../src/duration.ts';
import { buildRegistry } from '../../src/providers/registry.ts';
import { SETTINGS } from '../../src/settings.ts';
import { PROVIDER_ROWS, SPEC_SETTINGS } from '../../src/spec.ts';

describe('settings come from the spec', () => {
  test('every x-config row of openapi.yaml is known, with its type and default', () => {
    expect(SPEC_SETTINGS.length).toBeGreaterThan(50);
    const timeout = SPEC_SETTINGS.find((s) => s.env === 'CLIENT_TIMEOUT');
    expect(timeout).toMatchObject({ type: 'time.Duration', default: '30s', section: 'client' });
    expect(SETTINGS.map((s) => s.env)).toContain('SERVER_MAX_BODY_SIZE');
  });

  test('the providers come from x-provider-configs', () => {
    expect(PROVIDER_ROWS.map((p) => p.id)).toEqual(
      expect.arrayContaining(['anthropic', 'cloudflare', 'cohere', 'deepseek', 'google', 'groq', 'mistral', 'moonshot', 'ollama', 'ollama_cloud', 'openai']),
    );
    expect(PROVIDER_ROWS.find((p) => p.id === 'anthropic')?.authType).toBe('xheader');
  });

  test('every provider row has exactly one <ID>_API_URL and one <ID>_API_KEY setting', () => {
    const envs = SETTINGS.map((s) => s.env);
    for (const row of PROVIDER_ROWS) {
      const id = row.id.toUpperCase();
      expect(envs.filter((e) => e === `${id}_API_URL` || e === `${id}_API_KEY`)).toEqual([`${id}_API_URL`, `${id}_API_KEY`]);
    }
    expect(new Set(envs).size).toBe(envs.length);
  });

  test('defaults apply when nothing is set', () => {
    const c = loadConfig({});
    expect(c.server).toMatchObject({ host: '0.0.0.0', port: 8080, readTimeoutMs: 30_000, idleTimeoutMs: 120_000, maxBodyBytes: 10 * 1024 * 1024 });
    expect(c.server.softMemoryLimitBytes).toBe(0);
    expect(c.client).toMatchObject({ timeoutMs: 30_000, responseHeaderTimeoutMs: 10_000, disableCompression: true, maxIdleConns: 20 });
    expect(c.telemetry).toEqual({ enable: false, metricsPort: 9464 });
    expect(c.mcp.enable).toBe(false);
    expect(c.enableVision).toBe(false);
  });

  test('typed values are parsed: durations, booleans, numbers, lists', () => {
    const c = loadConfig({
      CLIENT_TIMEOUT: '1m30s',
      MCP_INITIAL_BACKOFF: '250ms',
      ENABLE_VISION: 'TRUE',
      DEBUG_MAX_MESSAGES: '7',
      ALLOWED_MODELS: ' openai/gpt-4o , groq/llama ,',
      MCP_SERVERS: ' http://a/mcp ,http://b/mcp',
      SERVER_SOFT_MEMORY_LIMIT_MB: '96',
    });
    expect(c.server.softMemoryLimitBytes).toBe(96 * 1024 * 1024);
    expect(c.client.timeoutMs).toBe(90_000);
    expect(c.mcp.initialBackoffMs).toBe(250);
    expect(c.enableVision).toBe(true);
    expect(c.debug.maxMessages).toBe(7);
    expect(c.allowedModels).toEqual(['openai/gpt-4o', 'groq/llama']);
    expect(c.mcp.servers).toEqual(['http://a/mcp', 'http://b/mcp']);
  });

  test('every bad variable is reported at once', () => {
    let error: unknown;
    try {
      loadConfig({ CLIENT_TIMEOUT: 'soon', ENABLE_VISION: 'maybe', SERVER_PORT: '99999', DEBUG_MAX_MESSAGES: 'ten', OPENAI_API_URL: 'ftp://x', SERVER_SOFT_MEMORY_LIMIT_MB: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['CLIENT_TIMEOUT', 'ENABLE_VISION', 'SERVER_PORT', 'DEBUG_MAX_MESSAGES', 'OPENAI_API_URL', 'SERVER_SOFT_MEMORY_LIMIT_MB']) expect(problems).toContain(name);
  });

  test('Go durations parse like Go', () => {
    expect(parseDuration('300ms')).toBe(300);
    expect(parseDuration('2h45m')).toBe(9_900_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('5 s')).toBeUndefined();
  });
});

describe('provider registry', () => {
  test('a provider is usable with a key, or when it needs none; URL overrides apply', () => {
    const registry = buildRegistry(loadConfig({ OPENAI_API_KEY: 'sk-1', GROQ_API_URL: 'http://127.0.0.1:1/openai/v1/' }));
    expect(registry.get('openai')?.usable).toBe(true);
    expect(registry.get('groq')).toMatchObject({ usable: false, baseUrl: 'http://127.0.0.1:1/openai/v1' });
    expect(registry.get('ollama')?.usable).toBe(true);
    expect(registry.size).toBe(PROVIDER_ROWS.length);
  });

  test('cloudflare gets its account id filled in, and a key without one stops start-up', () => {
    const registry = buildRegistry(loadConfig({ CLOUDFLARE_API_KEY: 'cf', CLOUDFLARE_ACCOUNT_ID: 'acc123' }));
    expect(registry.get('cloudflare')?.baseUrl).toBe('https://api.cloudflare.com/client/v4/accounts/acc123/ai');
    expect(() => loadConfig({ CLOUDFLARE_API_KEY: 'cf' })).toThrow(/CLOUDFLARE_ACCOUNT_ID/);
  });
});
