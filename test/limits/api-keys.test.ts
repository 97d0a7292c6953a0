import { describe, expect, test } from 'bun:test';
import { ApiKeys, hashApiKey, parseApiKeys, presentedApiKeys } from '../../src/auth/api-keys.ts';
import { ConfigError } from '../../src/config.ts';
import { tempDir, writeFile } from './harness.ts';

const ALICE_KEY = 'igw-alice-0123456789abcdef';
const BOT_KEY = 'igw-bot-fedcba9876543210';
const dir = tempDir();

function keysFile(name: string, entries: string): string {
  return writeFile(dir, name, `keys:\n${entries}`);
}

const GOOD = `  - { sha256: "${hashApiKey(ALICE_KEY)}", caller: alice, team: research }
  - { sha256: "${hashApiKey(BOT_KEY).toUpperCase()}", caller: ci-bot, team: [platform, ops] }
`;

function problemsOf(yaml: string): string[] {
  try {
    parseApiKeys(Bun.YAML.parse(yaml), 'keys.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('gateway API keys', () => {
  test('the file holds the hex SHA-256 of each key', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('a presented key finds its caller and teams; others find nothing', () => {
    const keys = new ApiKeys(keysFile('good.yaml', GOOD));
    expect(keys.size).toBe(2);
    expect(keys.lookup(ALICE_KEY)).toEqual({ caller: 'alice', teams: ['research'] });
    expect(keys.lookup(BOT_KEY)).toEqual({ caller: 'ci-bot', teams: ['platform', 'ops'] });
    // Keys of any length go through the same fixed-length comparison.
    for (const wrong of ['', 'x', `${ALICE_KEY}x`, ALICE_KEY.slice(0, -1), hashApiKey(ALICE_KEY), 'k'.repeat(10_000)]) {
      expect(keys.lookup(wrong)).toBeUndefined();
    }
  });

  test.each([
    ['Authorization: Bearer', { authorization: `Bearer ${ALICE_KEY}` }, [ALICE_KEY]],
    ['a lower-case scheme', { authorization: `bearer  ${ALICE_KEY} ` }, [ALICE_KEY]],
    ['x-api-key', { 'x-api-key': ALICE_KEY }, [ALICE_KEY]],
    ['both, Bearer first', { authorization: `Bearer ${ALICE_KEY}`, 'x-api-key': BOT_KEY }, [ALICE_KEY, BOT_KEY]],
    ['another scheme', { authorization: `Basic ${ALICE_KEY}` }, []],
    ['nothing', {}, []],
    ['an empty x-api-key', { 'x-api-key': ' ' }, []],
  ])('the keys are read from %s', (_name, headers, expected) => {
    expect(presentedApiKeys(new Headers(headers))).toEqual(expected);
  });

  test('the lookup takes as long for the first entry as for a key that is absent (every entry is compared)', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => `  - { sha256: "${hashApiKey(`key-${i}`)}", caller: c${i} }`).join('\n');
    const keys = new ApiKeys(keysFile('many.yaml', `${many}\n`));
    const time = (key: string) => {
      const started = performance.now();
      for (let i = 0; i < 200; i++) keys.lookup(key);
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) time(i % 2 ? 'key-0' : 'absent'); // warm-up
    const ratios = Array.from({ length: 7 }, () => time('key-0') / time('absent')).sort((a, b) => a - b);
    // An early exit would make the first entry ~1000 times faster than an absent key; noise stays within a few times.
    expect(ratios[3]).toBeGreaterThan(0.2);
    expect(ratios[3]).toBeLessThan(5);
    expect(keys.lookup('key-0')).toEqual({ caller: 'c0', teams: [] });
    expect(keys.lookup('key-1999')).toEqual({ caller: 'c1999', teams: [] });
  });

  test.each([
    ['a short hash', 'keys: [{ sha256: "abc", caller: a }]', [
      'keys.yaml: keys[0].sha256: expected the hex SHA-256 of the key (64 hex digits; `printf %s "$KEY" | sha256sum`), got 3 characters that are not one (not shown: it may be a key)',
    ]],
    ['a missing caller and an unknown key', `keys: [{ sha256: "${'a'.repeat(64)}", key: x }]`, [
      'keys.yaml: keys[0].key: unknown key (expected one of sha256, caller, team)',
      'keys.yaml: keys[0].caller: is required',
    ]],
    ['a duplicate hash', `keys: [{ sha256: "${'a'.repeat(64)}", caller: a }, { sha256: "${'A'.repeat(64)}", caller: b }]`, [
      'keys.yaml: keys[1].sha256: duplicate key aaaaaaaa… (also keys[0])',
    ]],
    ['a bad team', `keys: [{ sha256: "${'a'.repeat(64)}", caller: a, team: [1] }]`, ['keys.yaml: keys[0].team[0]: expected a non-empty string, got 1']],
    ['no keys list', 'key: []', ['keys.yaml: key: unknown key (expected one of keys)', 'keys.yaml: keys: is required']],
  ])('%s is reported with its key path', (_name, yaml, expected) => {
    expect(problemsOf(yaml)).toEqual(expected);
  });

  test('a key pasted in place of its hash is not echoed, not even in part', () => {
    const [problem] = problemsOf(`keys: [{ sha256: "${ALICE_KEY}", caller: a }]`);
    expect(problem).toContain('keys[0].sha256');
    expect(problem).not.toContain(ALICE_KEY.slice(0, 8));
  });

  test('reload() takes a good new file and keeps the old keys when the new one is bad', () => {
    const path = keysFile('reloaded.yaml', GOOD);
    const keys = new ApiKeys(path);
    keysFile('reloaded.yaml', `  - { sha256: "${hashApiKey('new-key-1234')}", caller: carol }\n`);
    expect(keys.reload()).toEqual({ ok: true, keys: 1 });
    expect(keys.lookup('new-key-1234')).toEqual({ caller: 'carol', teams: [] });
    expect(keys.lookup(ALICE_KEY)).toBeUndefined();

    keysFile('reloaded.yaml', '  - { sha256: nope, caller: dave }\n');
    const result = keys.reload();
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining('reloaded.yaml: keys[0].sha256: expected the hex SHA-256')] });
    expect(keys.lookup('new-key-1234')).toEqual({ caller: 'carol', teams: [] });
  });

  test('a missing file stops start-up naming the setting', () => {
    expect(() => new ApiKeys(`${dir}/absent.json`)).toThrow('AUTH_API_KEYS_PATH: cannot read absent.json (ENOENT)');
  });
});
