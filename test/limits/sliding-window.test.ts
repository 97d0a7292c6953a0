import { describe, expect, test } from 'bun:test';
import type { Limiter } from '../../src/limits/limiter.ts';
import { positionOf, waitMs } from '../../src/limits/windows.ts';
import { caller, limiterWith, storesUnderTest, TestClock } from './harness.ts';

const RULES = 'rules: [{ name: per-user, per: caller, requests_per_minute: 10 }]';
const alice = caller('alice');

const stores = storesUnderTest();

/** Sends `n` requests at the current time; returns how many were allowed. */
async function burst(limiter: Limiter, n: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < n; i++) if ((await limiter.check(alice, 'm', 0)).outcome === 'allowed') allowed++;
  return allowed;
}

describe.each(stores)('sliding window (%s store)', (_name, makeStore) => {
  test('a full burst at the end of a minute still counts at the start of the next: no double burst', async () => {
    const clock = new TestClock(59_000);
    const limiter = limiterWith(makeStore(), RULES, { clock });
    expect(await burst(limiter, 12)).toBe(10);
    clock.advance(1_000); // the next fixed window starts; the previous one still weighs in whole
    const refused = await limiter.check(alice, 'm', 0);
    expect(refused).toMatchObject({ outcome: 'limited', rule: 'per-user', window: 'requests_per_minute', retryAfterSeconds: 6 });
    clock.advance(6_000); // 10 × (1 − 6/60) = 9: room for one
    expect(await burst(limiter, 3)).toBe(1);
    clock.advance(24_000); // at 30 s: 10 × 0.5 + 1 = 6
    expect(await burst(limiter, 10)).toBe(4);
    clock.advance(30_000); // a new window: the previous one (5) weighs in whole
    expect(await burst(limiter, 10)).toBe(5);
    clock.advance(120_000); // both windows slid out
    expect(await burst(limiter, 12)).toBe(10);
    limiter.close();
  });

  test('a client retrying every 100 ms for three minutes never gets more than the limit within two seconds', async () => {
    const clock = new TestClock(30_000);
    const limiter = limiterWith(makeStore(), RULES, { clock });
    const times: number[] = [];
    for (let i = 0; i < 1_800; i++) {
      if ((await limiter.check(alice, 'm', 0)).outcome === 'allowed') times.push(clock.ms);
      clock.advance(100);
    }
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 2_000).length).toBeLessThanOrEqual(10);
    expect(times.length).toBeLessThanOrEqual(10 * 4);
    expect(times.length).toBeGreaterThanOrEqual(10 * 2);
    limiter.close();
  });

  test('a refusal charges nothing, so the caller is let in as soon as Retry-After says', async () => {
    const clock = new TestClock(0);
    const limiter = limiterWith(makeStore(), RULES, { clock });
    expect(await burst(limiter, 10)).toBe(10);
    const refused = await limiter.check(alice, 'm', 0);
    expect(refused.outcome).toBe('limited');
    for (let i = 0; i < 50; i++) await limiter.check(alice, 'm', 0); // refused hammering
    const retry = refused.outcome === 'limited' ? refused.retryAfterSeconds : 0;
    expect(retry).toBe(66); // this window ends in 60 s, then 1/10 of it must slide out
    clock.advance(retry * 1000 - 1_000);
    expect((await limiter.check(alice, 'm', 0)).outcome).toBe('limited');
    clock.advance(1_000);
    expect((await limiter.check(alice, 'm', 0)).outcome).toBe('allowed');
    limiter.close();
  });

  test('callers are counted apart, a team rule counts each team and a global rule everyone', async () => {
    const clock = new TestClock(0);
    const limiter = limiterWith(
      makeStore(),
      `rules:
  - { name: per-user, per: caller, requests_per_minute: 2 }
  - { name: per-team, per: team, requests_per_minute: 3 }
  - { name: all, per: global, requests_per_minute: 5 }`,
      { clock },
    );
    const decide = async (who: string, teams: string[]) => {
      const d = await limiter.check(caller(who, teams), 'm', 0);
      return d.outcome === 'limited' ? d.rule : d.outcome;
    };
    expect([await decide('a', ['x']), await decide('a', ['x']), await decide('a', ['x'])]).toEqual(['allowed', 'allowed', 'per-user']);
    expect([await decide('b', ['x']), await decide('b', ['x'])]).toEqual(['allowed', 'per-team']);
    expect([await decide('c', ['y', 'z']), await decide('d', []), await decide('e', []), await decide('f', [])]).toEqual([
      'allowed',
      'allowed',
      'all',
      'all',
    ]);
    limiter.close();
  });
});

describe('retry-after arithmetic', () => {
  test.each([
    // prev, curr, amount, limit, ms into the window, expected wait in ms
    [0, 0, 1, 10, 0, 0],
    [0, 10, 1, 10, 59_000, 1_000 + 6_000],
    [10, 0, 1, 10, 0, 6_000],
    [10, 5, 1, 10, 30_000, 6_000],
    [0, 0, 11, 10, 0, Infinity],
    [4, 10, 1, 10, 0, 66_000],
  ])('prev %d, curr %d: %d more under %d at %d ms waits %d ms', (prev, curr, amount, limit, into, expected) => {
    const windowMs = 60_000;
    const wait = waitMs({ prev, curr }, amount, limit, positionOf(into, windowMs), windowMs);
    expect(wait === Infinity ? wait : Math.round(wait)).toBe(expected);
  });
});
