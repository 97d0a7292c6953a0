import { describe, expect, test } from 'bun:test';
import { ConfigError } from '../../src/config.ts';
import { DEFAULT_MAX_TOKENS, loadLimitsFile, parseLimits } from '../../src/limits/limits-file.ts';
import { tempDir, writeFile } from './harness.ts';

function problemsOf(yaml: string): string[] {
  try {
    parseLimits(Bun.YAML.parse(yaml), '/etc/gateway/limits.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('limits file', () => {
  test('a full file is read with its defaults filled', () => {
    const config = parseLimits(
      Bun.YAML.parse(`
identity: { caller_claim: email, team_claim: groups }
rules:
  - name: per-user
    per: caller
    models: ["openai/*", "smart"]
    requests_per_minute: 60
    tokens_per_minute: 200000
    tokens_per_day: 5000000
  - { name: everyone, per: global, requests_per_minute: 1000 }
`),
      'limits.yaml',
    );
    expect(config).toEqual({
      identity: { callerClaim: 'email', teamClaim: 'groups' },
      rules: [
        { name: 'per-user', per: 'caller', models: ['openai/*', 'smart'], limits: { requests_per_minute: 60, tokens_per_minute: 200000, tokens_per_day: 5000000 } },
        { name: 'everyone', per: 'global', limits: { requests_per_minute: 1000 } },
      ],
      defaultMaxTokens: DEFAULT_MAX_TOKENS,
    });
  });

  test('identity defaults to the sub claim and no team', () => {
    expect(parseLimits({ rules: [] }, 'limits.yaml').identity).toEqual({ callerClaim: 'sub' });
  });

  test.each([
    ['a wrong scope', 'rules: [{ name: a, per: user, requests_per_minute: 1 }]', ['limits.yaml: rules[0].per: expected one of caller, team, global, got "user"']],
    ['a missing scope', 'rules: [{ name: a, requests_per_minute: 1 }]', ['limits.yaml: rules[0].per: is required (one of caller, team, global)']],
    ['an unknown key', 'rules: [{ name: a, per: caller, request_per_minute: 5 }]', [
      'limits.yaml: rules[0].request_per_minute: unknown key (expected one of name, per, models, requests_per_minute, tokens_per_minute, tokens_per_day)',
      'limits.yaml: rules[0]: sets no limit (give at least one of requests_per_minute, tokens_per_minute, tokens_per_day)',
    ]],
    ['an unknown top-level key', 'rule: []\nrules: []', ['limits.yaml: rule: unknown key (expected one of identity, rules, default_max_tokens)']],
    ['duplicate names', 'rules: [{ name: a, per: caller, requests_per_minute: 1 }, { name: a, per: team, requests_per_minute: 2 }]', [
      'limits.yaml: rules[1].name: duplicate rule name "a" (also rules[0])',
    ]],
    ['a limit that is not a whole number', 'rules: [{ name: a, per: caller, tokens_per_day: 1.5 }]', ['limits.yaml: rules[0].tokens_per_day: expected a whole number of at least 1, got 1.5']],
    ['a zero limit', 'rules: [{ name: a, per: caller, requests_per_minute: 0 }]', ['limits.yaml: rules[0].requests_per_minute: expected a whole number of at least 1, got 0']],
    ['a bad rule name', 'rules: [{ name: "a b", per: caller, requests_per_minute: 1 }]', [
      'limits.yaml: rules[0].name: expected letters, digits, "-", "_" or "." (at most 64), got "a b"',
    ]],
    ['models not a list of strings', 'rules: [{ name: a, per: caller, models: [1, ""], requests_per_minute: 1 }]', [
      'limits.yaml: rules[0].models[0]: expected a non-empty string, got 1',
      'limits.yaml: rules[0].models[1]: expected a non-empty string, got ""',
    ]],
    ['an empty models list', 'rules: [{ name: a, per: caller, models: [], requests_per_minute: 1 }]', ['limits.yaml: rules[0].models: is an empty list; leave the key out instead']],
    ['no rules', 'identity: { caller_claim: sub }', ['limits.yaml: rules: is required']],
    ['rules not a list', 'rules: { name: a }', ['limits.yaml: rules: expected a list, got an object']],
    ['a rule not an object', 'rules: [per-user]', ['limits.yaml: rules[0]: expected an object, got "per-user"']],
    ['a bad identity', 'identity: { caller: sub, team_claim: 3 }\nrules: []', [
      'limits.yaml: identity.caller: unknown key (expected one of caller_claim, team_claim)',
      'limits.yaml: identity.team_claim: expected a non-empty string, got 3',
    ]],
    ['a bad default_max_tokens', 'rules: []\ndefault_max_tokens: -1', ['limits.yaml: default_max_tokens: expected a whole number of at least 1, got -1']],
    ['not an object at all', '- a\n- b', ['limits.yaml: expected an object, got a list']],
  ])('%s is reported with its key path', (_name, yaml, expected) => {
    expect(problemsOf(yaml)).toEqual(expected);
  });

  test('every mistake of a file is reported at once', () => {
    const problems = problemsOf('rules: [{ name: a, per: user, requests_per_minute: 1 }, { name: b, per: caller, tokens_per_minute: x }]');
    expect(problems).toEqual([
      'limits.yaml: rules[0].per: expected one of caller, team, global, got "user"',
      'limits.yaml: rules[1].tokens_per_minute: expected a whole number of at least 1, got "x"',
    ]);
  });

  const dir = tempDir();
  test.each([
    ['limits.json', '{"rules": [{"name": "a", "per": "global", "requests_per_minute": 3}]}'],
    ['limits.yaml', 'rules:\n  - name: a\n    per: global\n    requests_per_minute: 3\n'],
  ])('%s is read from disk', (name, text) => {
    expect(loadLimitsFile(writeFile(dir, name, text)).rules).toEqual([{ name: 'a', per: 'global', limits: { requests_per_minute: 3 } }]);
  });

  test.each([
    ['broken.json', '{"rules": [', /^broken\.json: not valid JSON: /],
    ['broken.yaml', 'rules: [a, b\n  c: {', /^broken\.yaml: not valid YAML: /],
  ])('an unparsable %s names the file', (name, text, message) => {
    expect(() => loadLimitsFile(writeFile(dir, name, text))).toThrow(ConfigError);
    try {
      loadLimitsFile(writeFile(dir, name, text));
    } catch (err) {
      expect((err as ConfigError).problems[0]).toMatch(message);
    }
  });

  test('a missing file names the setting', () => {
    expect(() => loadLimitsFile(`${dir}/absent.yaml`)).toThrow('LIMITS_CONFIG_PATH: cannot read absent.yaml (ENOENT)');
  });
});
