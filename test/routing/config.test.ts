/** The routing file: the Go gateway's file works unchanged; every mistake is reported with the file and key path. */
import { expect, test } from 'bun:test';
import { ConfigError } from '../../src/config.ts';
import { RoutingFile } from '../../src/routing/config-file.ts';
import { BUILT_IN_SETTINGS, validateRouting } from '../../src/routing/config.ts';

const IDS = { all: new Set(['openai', 'anthropic', 'groq', 'mistral', 'ollama']), usable: new Set(['openai', 'anthropic', 'groq', 'ollama']) };

const GO_FILE = `
models:
  fast-chat:
    strategy: round_robin # only strategy in Phase 1
    deployments:
      - provider: groq
        model: llama-3.3-70b-versatile
      - provider: openai
        model: gpt-4o-mini
  cheap-chat:
    deployments:
      - provider: openai
        model: gpt-4o-mini
      - provider: groq
        model: llama-3.1-8b-instant
`;

const ISSUE_FILE = `
models:
  smart:
    strategy: fallback
    deployments:
      - provider: openai
        model: gpt-4o
        weight: 3
      - provider: anthropic
        model: claude-sonnet-4-20250514
        prefill: true
    retries: 2
    first_token_timeout: 10s
    stall_timeout: 15s
    max_retry_after: 10s
    breaker: { failures: 5, cooldown: 30s }
defaults: { retries: 1, breaker: { failures: 5, cooldown: 30s } }
`;

const files = (text: string) => (): string => text;

test("the Go gateway's routing file loads unchanged, round_robin by default", () => {
  const t = new RoutingFile('routing.yaml', IDS, files(GO_FILE)).current;
  expect([...t.routes.keys()]).toEqual(['fast-chat', 'cheap-chat']);
  expect(t.routes.get('cheap-chat')?.strategy).toBe('round_robin');
  expect(t.routes.get('fast-chat')?.deployments[0]).toEqual({ provider: 'groq', model: 'llama-3.3-70b-versatile', weight: 1, prefill: false, key: 'groq/llama-3.3-70b-versatile' });
  expect(t.routes.get('fast-chat')?.settings).toEqual(BUILT_IN_SETTINGS);
});

test("the issue's file: every key read", () => {
  const t = new RoutingFile('routing.yaml', IDS, files(ISSUE_FILE)).current;
  const smart = t.routes.get('smart');
  expect(smart?.strategy).toBe('fallback');
  expect(smart?.deployments.map((d) => [d.key, d.weight, d.prefill])).toEqual([
    ['openai/gpt-4o', 3, false],
    ['anthropic/claude-sonnet-4-20250514', 1, true],
  ]);
  expect(smart?.settings).toEqual({ retries: 2, firstTokenTimeoutMs: 10_000, stallTimeoutMs: 15_000, maxRetryAfterMs: 10_000, breaker: { failures: 5, cooldownMs: 30_000 } });
  expect(t.defaults.retries).toBe(1);
});

test('JSON files are read as JSON', () => {
  const json = JSON.stringify({ models: { a: { deployments: [{ provider: 'openai', model: 'gpt-4o' }] } } });
  expect(new RoutingFile('routing.json', IDS, files(json)).current.routes.get('a')?.deployments.length).toBe(1);
});

test('an alias inherits the defaults block, keys it sets win', () => {
  const doc = { defaults: { retries: 3, stall_timeout: '5s', strategy: 'fallback' }, models: { a: { retries: 0, deployments: [{ provider: 'openai', model: 'x' }] } } };
  const { table, problems } = validateRouting(doc, 'routing.yaml', IDS);
  expect(problems).toEqual([]);
  expect(table.routes.get('a')?.settings).toMatchObject({ retries: 0, stallTimeoutMs: 5000 });
  expect(table.routes.get('a')?.strategy).toBe('fallback');
});

test.each([
  ['unknown provider', { models: { smart: { deployments: [{ provider: 'openai', model: 'a' }, { provider: 'opnai', model: 'b' }] } } }, ['routing.yaml: models.smart.deployments[1].provider: unknown provider "opnai"']],
  ['provider without a key', { models: { smart: { deployments: [{ provider: 'mistral', model: 'a' }] } } }, ['routing.yaml: models.smart.deployments[0].provider: provider "mistral" has no API key (set MISTRAL_API_KEY)']],
  ['empty pool', { models: { smart: { deployments: [] } } }, ['routing.yaml: models.smart.deployments: empty pool: list at least one {provider, model}']],
  ['unknown keys', { model: {}, models: { smart: { retry: 2, deployments: [{ provider: 'openai', model: 'a', wieght: 2 }] } } }, [
    'routing.yaml: model: unknown key (expected one of models, defaults)',
    'routing.yaml: models.smart.retry: unknown key (expected one of strategy, retries, first_token_timeout, stall_timeout, max_retry_after, breaker, deployments)',
    'routing.yaml: models.smart.deployments[0].wieght: unknown key (expected one of provider, model, weight, prefill)',
  ]],
  ['bad values', { models: { s: { strategy: 'random', retries: -1, stall_timeout: '15 seconds', breaker: { failures: 0, cooldown: 30 }, deployments: [{ provider: 'openai', model: '', weight: 0, prefill: 'yes' }] } } }, [
    'routing.yaml: models.s.strategy: unknown strategy "random" (expected one of fallback, round_robin, weighted)',
    'routing.yaml: models.s.breaker.failures: expected a whole number from 1 to 1000, got 0',
    'routing.yaml: models.s.breaker.cooldown: expected a duration like "10s" or "1m30s", got 30',
    'routing.yaml: models.s.retries: expected a whole number from 0 to 10, got -1',
    'routing.yaml: models.s.stall_timeout: expected a duration like "10s" or "1m30s", got "15 seconds"',
    'routing.yaml: models.s.deployments[0].model: missing (the provider\'s model name)',
    'routing.yaml: models.s.deployments[0].weight: expected a positive number, got 0',
    'routing.yaml: models.s.deployments[0].prefill: expected true or false, got "yes"',
  ]],
  ['a deployment listed twice', { models: { s: { deployments: [{ provider: 'openai', model: 'a' }, { provider: 'openai', model: 'a' }] } } }, ['routing.yaml: models.s.deployments[1]: openai/a is listed twice']],
  ['an alias shadowed by provider/model', { models: { 'openai/gpt-4o': { deployments: [{ provider: 'groq', model: 'a' }] } } }, ['routing.yaml: models.openai/gpt-4o: an alias must not start with a provider id and "/" (such requests bypass aliases)']],
  ['nothing in the file', {}, ['routing.yaml: no models: define at least one alias under models']],
])('%s', (_name, doc, expected) => {
  expect(validateRouting(doc, 'routing.yaml', IDS).problems).toEqual(expected);
});

test('start-up throws ConfigError listing every mistake', () => {
  const bad = 'models:\n  a:\n    deployments: []\n  b:\n    deployments:\n      - provider: opnai\n        model: x\n';
  let err: unknown;
  try {
    new RoutingFile('/etc/gw/routing.yaml', IDS, files(bad));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual([
    'routing.yaml: models.a.deployments: empty pool: list at least one {provider, model}',
    'routing.yaml: models.b.deployments[0].provider: unknown provider "opnai"',
  ]);
});

test.each([
  ['unparsable YAML', 'models: [unclosed', /^routing\.yaml: cannot read it: /],
  ['a missing file', undefined, /^routing\.yaml: file not found$/],
])('%s is one problem', (_name, text, pattern) => {
  const read = (): string => {
    if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return text;
  };
  expect(() => new RoutingFile('routing.yaml', IDS, read)).toThrow(ConfigError);
  try {
    new RoutingFile('routing.yaml', IDS, read);
  } catch (e) {
    expect((e as ConfigError).problems.length).toBe(1);
    expect((e as ConfigError).problems[0]).toMatch(pattern);
  }
});

test('reload (SIGHUP): a good file replaces the routes; a bad one keeps them and says why', () => {
  let text = GO_FILE;
  const f = new RoutingFile('routing.yaml', IDS, () => text);
  text = ISSUE_FILE;
  expect(f.reload().ok).toBe(true);
  expect([...f.current.routes.keys()]).toEqual(['smart']);
  text = 'models:\n  smart:\n    deployments: []\n';
  expect(f.reload()).toEqual({ ok: false, problems: ['routing.yaml: models.smart.deployments: empty pool: list at least one {provider, model}'] });
  expect([...f.current.routes.keys()]).toEqual(['smart']);
  expect(f.current.routes.get('smart')?.deployments.length).toBe(2);
});
