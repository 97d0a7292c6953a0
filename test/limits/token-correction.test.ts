import { describe, expect, test } from 'bun:test';
import type { LimitDecision } from '../../src/limits/limiter.ts';
import { caller, limiterWith, storesUnderTest, TestClock } from './harness.ts';

const RULES = `rules:
  - { name: per-user, per: caller, requests_per_minute: 100, tokens_per_minute: 1000, tokens_per_day: 5000 }`;
const alice = caller('alice');

const stores = storesUnderTest();

function allowed(d: LimitDecision): Extract<LimitDecision, { outcome: 'allowed' }> {
  if (d.outcome !== 'allowed') throw new Error(`expected allowed, got ${JSON.stringify(d)}`);
  return d;
}

describe.each(stores)('token reservation corrected by real usage (%s store)', (_name, makeStore) => {
  test('a reservation holds tokens until the answer says what it used', async () => {
    const clock = new TestClock(0);
    const limiter = limiterWith(makeStore(), RULES, { clock });
    const first = allowed(await limiter.check(alice, 'gpt', 800));
    expect(first.headers).toEqual({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-reset-requests': '2m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '200',
      'x-ratelimit-reset-tokens': '2m0s',
    });
    expect(await limiter.check(alice, 'gpt', 300)).toMatchObject({ outcome: 'limited', rule: 'per-user', window: 'tokens_per_minute' });
    await limiter.settle(first.ticket, 100); // the answer used 100 of the 800
    const second = allowed(await limiter.check(alice, 'gpt', 300));
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe('600');
    limiter.close();
  });

  test('usage above the reservation is charged too, on every token window', async () => {
    const clock = new TestClock(0);
    const limiter = limiterWith(makeStore(), RULES, { clock });
    await limiter.settle(allowed(await limiter.check(alice, 'gpt', 100)).ticket, 900);
    expect(await limiter.usage(alice)).toMatchObject({
      rules: [
        {
          name: 'per-user',
          windows: [
            { window: 'requests_per_minute', used: 1 },
            { window: 'tokens_per_minute', used: 900, remaining: 100 },
            { window: 'tokens_per_day', used: 900, remaining: 4100 },
          ],
        },
      ],
    });
    limiter.close();
  });

  test('a correction after the minute has turned goes to the window that was charged', async () => {
    const clock = new TestClock(50_000);
    const limiter = limiterWith(makeStore(), RULES, { clock });
    const ticket = allowed(await limiter.check(alice, 'gpt', 1000)).ticket;
    clock.advance(40_000); // 30 s into the next minute: the charged window weighs 1/2
    expect((await limiter.check(alice, 'gpt', 600)).outcome).toBe('limited');
    await limiter.settle(ticket, 200);
    // 200 × 1/2 + 600 fits under 1000 now.
    expect((await limiter.check(alice, 'gpt', 600)).outcome).toBe('allowed');
    limiter.close();
  });

  test('a request whose reservation alone is over a limit is refused as too large', async () => {
    const limiter = limiterWith(makeStore(), RULES, { clock: new TestClock(0) });
    const d = await limiter.check(alice, 'gpt', 1001);
    expect(d).toMatchObject({ outcome: 'limited', rule: 'per-user', window: 'tokens_per_minute', retryAfterSeconds: 60 });
    expect(d.outcome === 'limited' && d.message).toBe(
      'Request too large for rate limit "per-user": it needs 1001 tokens, the limit is 1000 tokens per minute; lower max_tokens or shorten the prompt',
    );
    limiter.close();
  });

  test('the tightest rule fills the headers', async () => {
    const limiter = limiterWith(
      makeStore(),
      `rules:
  - { name: loose, per: caller, requests_per_minute: 100, tokens_per_day: 100000 }
  - { name: tight, per: global, models: ["gpt*"], requests_per_minute: 3, tokens_per_minute: 500 }`,
      { clock: new TestClock(0) },
    );
    expect(allowed(await limiter.check(alice, 'gpt-4o', 50)).headers).toMatchObject({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-limit-tokens': '500',
      'x-ratelimit-remaining-tokens': '450',
    });
    // A model the tight rule does not match: only the loose one applies.
    expect(allowed(await limiter.check(alice, 'claude', 50)).headers).toMatchObject({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '98',
      'x-ratelimit-limit-tokens': '100000',
      'x-ratelimit-remaining-tokens': '99900',
      'x-ratelimit-reset-tokens': '48h0m0s',
    });
    limiter.close();
  });
});
