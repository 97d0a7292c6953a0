import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ConfigError } from '../../src/config.ts';
import { createLimiter, redisUrlProblem, reloadLimits } from '../../src/limits/setup.ts';
import { REDIS_MISSING, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { caller, CountingObserver, recordingLogger, tempDir, writeFile } from './harness.ts';

const dir = tempDir();
const RULES = 'rules: [{ name: per-user, per: caller, requests_per_minute: 2 }]\n';
if (!REDIS_SERVER) console.warn(REDIS_MISSING);

describe('building the limiter from settings', () => {
  test.each([
    ['redis://127.0.0.1:6379', undefined],
    ['rediss://:pw@redis.internal:6380/2', undefined],
    ['http://127.0.0.1:6379', 'REDIS_URL: scheme must be redis:// or rediss://, got http://'],
    ['redis://:pw@host/db', 'REDIS_URL: the path must be a database number (/0 ... /15)'],
    ['not a url', 'REDIS_URL: not a URL (expected redis://[:password@]host[:port][/db] or rediss://...)'],
  ])('REDIS_URL %s', (url, problem) => {
    expect(redisUrlProblem(url)).toBe(problem);
  });

  test('without REDIS_URL the counters live in memory, and the log says so', async () => {
    const log = recordingLogger();
    const limiter = createLimiter({ configPath: writeFile(dir, 'mem.yaml', RULES), failMode: 'open' }, { logger: log.logger });
    expect(log.lines.join('')).toContain('limits kept in memory');
    expect((await limiter.check(caller('a'), 'm', 0)).outcome).toBe('allowed');
    limiter.close();
  });

  test('a bad REDIS_URL stops start-up without repeating the URL', () => {
    try {
      createLimiter({ configPath: writeFile(dir, 'bad-url.yaml', RULES), redisUrl: 'http://:hunter22@h', failMode: 'open' }, { logger: recordingLogger().logger });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).not.toContain('hunter22');
    }
  });

  test('SIGHUP reload: a good file replaces the rules, a bad one keeps them and says why', async () => {
    const path = writeFile(dir, 'reload.yaml', RULES);
    const limiter = createLimiter({ configPath: path, failMode: 'open' }, { logger: recordingLogger().logger });
    writeFile(dir, 'reload.yaml', 'rules: [{ name: per-user, per: caller, requests_per_minute: 1 }]\n');
    expect(reloadLimits(limiter, path)).toEqual({ ok: true, rules: 1 });
    expect((await limiter.check(caller('a'), 'm', 0)).outcome).toBe('allowed');
    expect((await limiter.check(caller('a'), 'm', 0)).outcome).toBe('limited');
    writeFile(dir, 'reload.yaml', 'rules: [{ name: per-user, per: user }]\n');
    expect(reloadLimits(limiter, path)).toEqual({
      ok: false,
      problems: [
        'reload.yaml: rules[0].per: expected one of caller, team, global, got "user"',
        'reload.yaml: rules[0]: sets no limit (give at least one of requests_per_minute, tokens_per_minute, tokens_per_day)',
      ],
    });
    expect((await limiter.check(caller('b'), 'm', 0)).outcome).toBe('allowed');
    expect((await limiter.check(caller('b'), 'm', 0)).outcome).toBe('limited');
    limiter.close();
  });
});

describe.skipIf(!REDIS_SERVER)('building the limiter over Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('with REDIS_URL the counters live in Redis; the log names the host, never the password; round trips are reported', async () => {
    const log = recordingLogger();
    const observer = new CountingObserver();
    const trips: number[] = [];
    const limiter = createLimiter(
      { configPath: writeFile(dir, 'redis.yaml', RULES), redisUrl: `redis://:unused-pw@127.0.0.1:${redis.port}/1`, failMode: 'closed' },
      { logger: log.logger, observer: Object.assign(observer, { storeRoundTrip: (s: number) => trips.push(s) }) },
    );
    const line = log.lines.find((l) => l.includes('limits shared through Redis')) ?? '';
    expect(line).toContain(`redis://127.0.0.1:${redis.port}/1`);
    expect(line).not.toContain('unused-pw');
    const d = await limiter.check(caller('a'), 'm', 0);
    expect(d.outcome).toBe('allowed');
    expect(trips.length).toBeGreaterThan(0);
    expect(trips.every((s) => s > 0 && s < 1)).toBe(true);
    limiter.close();
  });
});
