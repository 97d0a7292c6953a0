import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { REDIS_MISSING, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { caller, limiterWith, redisStore, TestClock, uniquePrefix } from './harness.ts';

if (!REDIS_SERVER) console.warn(REDIS_MISSING);

describe.skipIf(!REDIS_SERVER)('two replicas share one limit through Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('60 concurrent requests from two limiters against requests_per_minute 25: exactly 25 pass', async () => {
    const prefix = uniquePrefix();
    const clock = new TestClock(10_000);
    const rules = 'rules: [{ name: per-user, per: caller, requests_per_minute: 25 }]';
    const replicas = [limiterWith(redisStore(redis.url(), prefix), rules, { clock }), limiterWith(redisStore(redis.url(), prefix), rules, { clock })];
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => replicas[i % 2]!.check(caller('alice'), 'gpt', 0)));
    expect(decisions.filter((d) => d.outcome === 'allowed').length).toBe(25);
    expect(decisions.filter((d) => d.outcome === 'limited').length).toBe(35);
    // Both replicas see the same count afterwards.
    const [a, b] = await Promise.all(replicas.map((r) => r.usage(caller('alice'))));
    expect(a).toEqual(b!);
    expect(a).toMatchObject({ rules: [{ name: 'per-user', windows: [{ window: 'requests_per_minute', limit: 25, used: 25, remaining: 0 }] }] });
    for (const r of replicas) r.close();
  });

  test('a refusal on one replica charges nothing the other would see', async () => {
    const prefix = uniquePrefix();
    const clock = new TestClock(0);
    const rules = `rules:
  - { name: requests, per: caller, requests_per_minute: 5 }
  - { name: tokens, per: caller, tokens_per_minute: 100 }`;
    const [r1, r2] = [limiterWith(redisStore(redis.url(), prefix), rules, { clock }), limiterWith(redisStore(redis.url(), prefix), rules, { clock })];
    expect((await r1.check(caller('bob'), 'gpt', 90)).outcome).toBe('allowed');
    // Over the token limit: neither its request nor its tokens are charged.
    expect(await r2.check(caller('bob'), 'gpt', 20)).toMatchObject({ outcome: 'limited', rule: 'tokens', window: 'tokens_per_minute' });
    const usage = await r1.usage(caller('bob'));
    expect(usage).toMatchObject({
      rules: [
        { name: 'requests', windows: [{ used: 1 }] },
        { name: 'tokens', windows: [{ used: 90 }] },
      ],
    });
    r1.close();
    r2.close();
  });

  test("a replica sees another's token correction within the correction delay, with no check to carry it", async () => {
    const prefix = uniquePrefix();
    const clock = new TestClock(0);
    const rules = 'rules: [{ name: tokens, per: caller, tokens_per_minute: 1000 }]';
    const [r1, r2] = [limiterWith(redisStore(redis.url(), prefix), rules, { clock }), limiterWith(redisStore(redis.url(), prefix), rules, { clock })];
    const d = await r1.check(caller('tia'), 'gpt', 900);
    await r1.settle(d.outcome === 'allowed' ? d.ticket : undefined, 100);
    await Bun.sleep(150); // REDIS_STORE_DEFAULTS.correctionDelayMs is 50
    expect(await r2.usage(caller('tia'))).toMatchObject({ rules: [{ windows: [{ used: 100, remaining: 900 }] }] });
    r1.close();
    r2.close();
  });

  test('a password and database number in the URL are used', async () => {
    const admin = redis.client();
    await admin.connect();
    await admin.send('CONFIG', ['SET', 'requirepass', 's3cret-pw']);
    admin.close();
    const open = async (db: number) => {
      const c = new RedisClient(`redis://:s3cret-pw@127.0.0.1:${redis.port}/${db}`, { autoReconnect: false });
      await c.connect();
      return c;
    };
    try {
      const limiter = limiterWith(redisStore(`redis://:s3cret-pw@127.0.0.1:${redis.port}/3`, 'pw:'), 'rules: [{ name: g, per: global, requests_per_minute: 1 }]', {
        clock: new TestClock(0),
      });
      expect((await limiter.check(caller('c'), 'm', 0)).outcome).toBe('allowed');
      expect((await limiter.check(caller('c'), 'm', 0)).outcome).toBe('limited');
      limiter.close();
      const [db3, db0] = [await open(3), await open(0)];
      expect(await db3.send('KEYS', ['pw:*'])).toHaveLength(1);
      expect(await db0.send('KEYS', ['pw:*'])).toHaveLength(0);
      db3.close();
      db0.close();
    } finally {
      const c = await open(0);
      await c.send('CONFIG', ['SET', 'requirepass', '']);
      c.close();
    }
  });
});
