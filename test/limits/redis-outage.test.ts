import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { FailMode, Limiter } from '../../src/limits/limiter.ts';
import { REDIS_MISSING, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { caller, CountingObserver, limiterWith, recordingLogger, redisStore, TestClock, uniquePrefix } from './harness.ts';

if (!REDIS_SERVER) console.warn(REDIS_MISSING);

const RULES = 'rules: [{ name: per-user, per: caller, requests_per_minute: 5 }]';
const alice = caller('alice');

/** Waits (bounded) until a limiter's store answers again. */
async function untilStoreAnswers(limiter: Limiter): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const usage = await limiter.usage(alice);
    if ('store' in usage && usage.store === 'ok') return;
    await Bun.sleep(50);
  }
  throw new Error('the limiter did not reconnect to Redis within 5 s');
}

describe.skipIf(!REDIS_SERVER)('Redis away and back', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    redis.resume();
    await redis.stop();
  });

  test.each<[FailMode, string]>([
    ['open', 'allowed'],
    ['closed', 'unavailable'],
  ])('LIMITS_FAIL_MODE=%s: killed mid-test, requests are %s, then counts are shared again after a restart', async (failMode, during) => {
    const prefix = uniquePrefix();
    const clock = new TestClock(0);
    const observer = new CountingObserver();
    const log = recordingLogger();
    const a = limiterWith(redisStore(redis.url(), prefix), RULES, { clock, failMode, observer, logger: log.logger });
    const b = limiterWith(redisStore(redis.url(), prefix), RULES, { clock, failMode });
    expect((await a.check(alice, 'm', 0)).outcome).toBe('allowed');
    expect((await b.check(alice, 'm', 0)).outcome).toBe('allowed');

    await redis.kill();
    const outcomes = [];
    for (let i = 0; i < 8; i++) outcomes.push((await a.check(alice, 'm', 0)).outcome);
    expect(outcomes).toEqual(Array(8).fill(during));
    expect(observer.storeErrors).toBe(8);
    expect(observer.failOpen).toBe(failMode === 'open' ? 8 : 0);
    const warned = log.lines.filter((l) => l.includes('limits store unreachable'));
    expect(warned).toHaveLength(1); // once per outage, not once per request
    expect(warned[0]).toContain('"reason":"');

    await redis.restart(); // empty: the counts from before are gone
    await untilStoreAnswers(a);
    await untilStoreAnswers(b);
    expect(log.lines.filter((l) => l.includes('limits store reachable again'))).toHaveLength(1);
    const after = [];
    for (let i = 0; i < 10; i++) after.push((await (i % 2 ? b : a).check(alice, 'm', 0)).outcome);
    expect(after.filter((o) => o === 'allowed')).toHaveLength(5);
    expect(after.slice(5)).toEqual(Array(5).fill('limited'));
    a.close();
    b.close();
  });

  test('a frozen Redis costs each check at most the timeout, then counts go on', async () => {
    const limiter = limiterWith(redisStore(redis.url(), uniquePrefix(), 100), RULES, { clock: new TestClock(0), failMode: 'closed' });
    expect((await limiter.check(alice, 'm', 0)).outcome).toBe('allowed');
    redis.pause();
    try {
      const started = performance.now();
      expect(await limiter.check(alice, 'm', 0)).toEqual({ outcome: 'unavailable', reason: 'no answer within 100 ms' });
      expect(performance.now() - started).toBeLessThan(1000); // the 100 ms timeout, with room for a loaded machine
    } finally {
      redis.resume();
    }
    // The late reply to the timed-out check may still have charged it: 1 or 2 used, never more.
    const usage = await limiter.usage(alice);
    expect('rules' in usage && usage.rules[0]!.windows[0]!.used).toBeOneOf([1, 2]);
    limiter.close();
  });
});
