/** Exponential backoff with jitter, Retry-After up to max_retry_after, and at most two attempts per 1.5 s on one deployment. */
import { expect, test } from 'bun:test';
import { backoffDelay, parseRetryAfter, planRetry, type RetryInput } from '../../src/routing/backoff.ts';

test.each([
  [1, 0, 125],
  [1, 1, 250],
  [2, 0.5, 375],
  [3, 0, 500],
  [10, 1, 4000],
])('retry %d with random %d waits %d ms', (retry, r, ms) => {
  expect(backoffDelay(retry, () => r)).toBe(ms);
});

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

test.each([
  ['2', 2000],
  ['0', 0],
  ['1.5', 1500],
  [new Date(NOW + 5000).toUTCString(), 5000],
  [new Date(NOW - 5000).toUTCString(), 0],
  ['soon', undefined],
  [undefined, undefined],
])('Retry-After %p → %p ms', (value, ms) => {
  expect(parseRetryAfter(value, NOW)).toBe(ms);
});

const base: RetryInput = { retriesDone: 0, retries: 2, starts: [0], now: 10, maxRetryAfterMs: 10_000, wallNow: NOW, random: () => 0.5 };

test.each([
  ['first retry: backoff', {}, { kind: 'wait', ms: 188 }],
  ['Retry-After within max_retry_after is honoured', { retryAfter: '3' }, { kind: 'wait', ms: 3000 }],
  ['Retry-After as an HTTP date', { retryAfter: new Date(NOW + 4000).toUTCString() }, { kind: 'wait', ms: 4000 }],
  ['Retry-After beyond max_retry_after: next deployment at once', { retryAfter: '11' }, { kind: 'next', why: 'Retry-After 11000 ms exceeds max_retry_after' }],
  ['third attempt: not within 1.5 s of the first', { retriesDone: 1, starts: [0, 188], now: 200 }, { kind: 'wait', ms: 1300 }],
  ['spacing wins over a short Retry-After', { retriesDone: 1, starts: [0, 100], now: 110, retryAfter: '0' }, { kind: 'wait', ms: 1390 }],
  ['retries used up', { retriesDone: 2, starts: [0, 188, 1500] }, { kind: 'next', why: 'retries used up' }],
  ['no retries configured', { retries: 0 }, { kind: 'next', why: 'retries used up' }],
] as const)('%s', (_name, over, plan) => {
  expect(planRetry({ ...base, ...over })).toEqual(plan);
});
