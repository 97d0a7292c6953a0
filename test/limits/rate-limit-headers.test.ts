import { describe, expect, test } from 'bun:test';
import { formatReset, rateLimitHeaders, tightest } from '../../src/limits/rate-limit-headers.ts';

describe("OpenAI's rate-limit headers", () => {
  test.each([
    [0, '0s'],
    [17, '17ms'],
    [998.2, '999ms'],
    [999.2, '1s'],
    [1_000, '1s'],
    [1_001, '2s'],
    [59_000, '59s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
    [172_800_000, '48h0m0s'],
  ])('%d ms is written %s', (ms, text) => {
    expect(formatReset(ms)).toBe(text);
  });

  test('the tightest window is the one with the least room, then the one resetting last', () => {
    expect(tightest([{ limit: 10, remaining: 5, resetMs: 1 }, { limit: 100, remaining: 2, resetMs: 1 }])).toEqual({ limit: 100, remaining: 2, resetMs: 1 });
    expect(tightest([{ limit: 10, remaining: 2, resetMs: 1 }, { limit: 5, remaining: 2, resetMs: 9 }])).toEqual({ limit: 5, remaining: 2, resetMs: 9 });
    expect(tightest([])).toBeUndefined();
  });

  test('remaining is a whole number, never below zero; a kind without a rule has no headers', () => {
    expect(rateLimitHeaders({ limit: 10, remaining: 3.7, resetMs: 6_000 }, undefined)).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '3',
      'x-ratelimit-reset-requests': '6s',
    });
    expect(rateLimitHeaders(undefined, { limit: 10, remaining: -2, resetMs: 20 })).toEqual({
      'x-ratelimit-limit-tokens': '10',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '20ms',
    });
  });
});
