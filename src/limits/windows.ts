/**
 * Sliding windows approximated from two fixed ones: the count is the previous window's × the part of
 * it still inside the sliding window, plus the current one's. A burst at the end of one minute still
 * counts at the start of the next, so there is no double burst at a boundary, and each counter is two
 * integers (cheap in memory and in Redis).
 */
import type { LimitKind } from './limits-file.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Length of each kind's window. */
export const WINDOW_MS: Record<LimitKind, number> = {
  requests_per_minute: MINUTE_MS,
  tokens_per_minute: MINUTE_MS,
  tokens_per_day: DAY_MS,
};

/** Where a moment falls in a series of fixed windows. */
export interface WindowPosition {
  /** Number of the current fixed window since the epoch. */
  index: number;
  /** How much of the current fixed window has passed, in [0, 1). */
  elapsed: number;
  /** Milliseconds left in the current fixed window. */
  leftMs: number;
}

/** The two counts a sliding window is made of. */
export interface WindowCounts {
  prev: number;
  curr: number;
}

/** The fixed window `now` falls in. */
export function positionOf(now: number, windowMs: number): WindowPosition {
  const index = Math.floor(now / windowMs);
  const into = now - index * windowMs;
  return { index, elapsed: into / windowMs, leftMs: windowMs - into };
}

/** Weight of the previous window's count (the part of it still inside the sliding window). */
export function prevWeight(pos: WindowPosition): number {
  return 1 - pos.elapsed;
}

/** The sliding-window count. */
export function slidingCount(counts: WindowCounts, weight: number): number {
  return counts.prev * weight + counts.curr;
}

/** Whether `amount` more fits under `limit` (the one test both stores apply, the Redis one in Lua). */
export function fits(counts: WindowCounts, weight: number, amount: number, limit: number): boolean {
  return slidingCount(counts, weight) + amount <= limit;
}

/**
 * Milliseconds until `amount` more fits under `limit`, assuming nothing else is charged meanwhile;
 * Infinity when it never will (`amount` alone is over the limit).
 */
export function waitMs(counts: WindowCounts, amount: number, limit: number, pos: WindowPosition, windowMs: number): number {
  if (amount > limit) return Infinity;
  const room = limit - amount;
  if (slidingCount(counts, prevWeight(pos)) <= room) return 0;
  if (counts.curr <= room && counts.prev > 0) {
    // Still in this window: wait until the previous window's share has shrunk enough.
    const elapsedNeeded = 1 - (room - counts.curr) / counts.prev;
    return Math.max(0, (elapsedNeeded - pos.elapsed) * windowMs);
  }
  // Only once this window has become the previous one, and enough of it has slid out.
  const elapsedNeeded = counts.curr > 0 ? 1 - room / counts.curr : 0;
  return pos.leftMs + Math.max(0, elapsedNeeded) * windowMs;
}

/** Milliseconds until the sliding count is back to zero (OpenAI's "reset": the limit back to its initial state). */
export function resetMs(counts: WindowCounts, pos: WindowPosition, windowMs: number): number {
  if (counts.curr > 0) return pos.leftMs + windowMs;
  return counts.prev > 0 ? pos.leftMs : 0;
}
