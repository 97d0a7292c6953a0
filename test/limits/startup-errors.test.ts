import { describe, expect, test } from 'bun:test';
import { runMain } from '../helpers/spawn-gateway.ts';
import { tempDir, writeFile } from './harness.ts';

const dir = tempDir();

describe('a bad limits or keys file stops start-up', () => {
  test.each([
    [
      'a limits file with mistakes',
      { LIMITS_CONFIG_PATH: writeFile(dir, 'limits.yaml', 'rules:\n  - { name: a, per: caller, requests_per_minute: 1 }\n  - { name: b, per: user, requests_per_minute: 2 }\n') },
      'limits.yaml: rules[1].per: expected one of caller, team, global, got "user"',
    ],
    ['a missing keys file', { AUTH_API_KEYS_PATH: `${dir}/nope.yaml` }, 'AUTH_API_KEYS_PATH: cannot read nope.yaml (ENOENT)'],
    [
      'a REDIS_URL that is not redis://',
      { LIMITS_CONFIG_PATH: writeFile(dir, 'ok.yaml', 'rules: []\n'), REDIS_URL: 'http://:pw-in-url@127.0.0.1:6379' },
      'REDIS_URL: scheme must be redis:// or rediss://, got http://',
    ],
    ['an unknown LIMITS_FAIL_MODE', { LIMITS_FAIL_MODE: 'maybe' }, 'LIMITS_FAIL_MODE'],
  ])('%s: exit code 2 and the message', async (_name, env, message) => {
    const run = await runMain({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', ...env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('pw-in-url');
  });
});
