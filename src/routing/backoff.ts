/**
 * When to try a deployment again. Exponential backoff with jitter (so that replicas retrying the same
 * outage spread out), the provider's Retry-After honoured up to `max_retry_after` (a longer one moves
 * on at once: waiting would be worse than another deployment), and never more than two attempts on
 * one deployment within 1.5 s whatever the delays say.
 */

/** The first retry waits about this long; each further one doubles it. */
export const BASE_DELAY_MS = 250;
/** No backoff step waits longer than this (Retry-After may, up to max_retry_after). */
export const MAX_DELAY_MS = 4_000;
/** Any window this long holds at most two attempts on one deployment. */
export const SPACING_WINDOW_MS = 1_500;

/** Wait `ms` and try the same deployment, or go to the next one now. */
export type RetryPlan = { kind: 'wait'; ms: number } | { kind: 'next'; why: string };

/** Backoff before retry number `retry` (1 for the first retry): half fixed, half random. */
export function backoffDelay(retry: number, random: () => number): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** What the caller knows when an attempt failed retryably. */
export interface RetryInput {
  /** Retries already made on this deployment (0 after the first attempt failed). */
  retriesDone: number;
  /** Allowed extra attempts on one deployment. */
  retries: number;
  /** Start times (ms, on the injected clock) of the attempts made on this deployment. */
  starts: readonly number[];
  now: number;
  /** The provider's Retry-After header value, if any. */
  retryAfter?: string;
  maxRetryAfterMs: number;
  /** Wall-clock time for HTTP dates (Date.now, or a test's). */
  wallNow: number;
  random: () => number;
}

/** Decides whether and when to try the same deployment again. */
export function planRetry(input: RetryInput): RetryPlan {
  if (input.retriesDone >= input.retries) return { kind: 'next', why: 'retries used up' };
  let wait = backoffDelay(input.retriesDone + 1, input.random);
  const asked = parseRetryAfter(input.retryAfter, input.wallNow);
  if (asked !== undefined) {
    if (asked > input.maxRetryAfterMs) return { kind: 'next', why: `Retry-After ${asked} ms exceeds max_retry_after` };
    wait = asked;
  }
  // The attempt two back bounds the next start: at most two attempts in any SPACING_WINDOW_MS.
  const twoBack = input.starts[input.starts.length - 2];
  if (twoBack !== undefined) wait = Math.max(wait, twoBack + SPACING_WINDOW_MS - input.now);
  return { kind: 'wait', ms: Math.max(0, wait) };
}
