/** What a limits store does (in memory for one process, Redis for many), so the limiter never knows which it has. */
import type { WindowCounts } from './windows.ts';

/** One sliding-window counter to check and charge: one limit of one rule for one caller, team or everyone. */
export interface Charge {
  /** Names the counter series (`per-user|requests_per_minute|alice`); stable across replicas. */
  id: string;
  windowMs: number;
  limit: number;
  /** What this request adds: 1 request, or its token reservation (0 leaves the counter untouched). */
  amount: number;
}

/** The answer to a check-and-charge. */
export interface ChargeOutcome {
  /** Index into the charges of the first one that did not fit; undefined when every one was charged. */
  rejected?: number;
  /** Per charge: the counts seen, after this charge when all were charged. */
  counts: WindowCounts[];
  /** Number of the fixed window (per charge) the amounts went to, for a later correction. */
  windows: number[];
}

/** A later change to a counter already charged: a token reservation corrected to the real usage. */
export interface Adjustment {
  id: string;
  windowMs: number;
  /** The fixed window charged (from ChargeOutcome.windows); a window that has since slid out is left alone. */
  window: number;
  /** Positive or negative; a counter never goes below 0. */
  delta: number;
}

/** A counter to read, for `GET /v1/limits`. */
export interface CounterRef {
  id: string;
  windowMs: number;
}

/** Shared counters. Every operation is atomic across all the counters it is given. */
export interface LimitStore {
  /** Checks every charge at `now`; charges all of them only when all fit, else none. */
  checkAndCharge(charges: Charge[], now: number): Promise<ChargeOutcome>;
  /** Applies corrections (best effort: a lost one only affects the counts of one window). */
  adjust(adjustments: Adjustment[]): Promise<void>;
  /** The counts of each counter at `now`. */
  read(counters: CounterRef[], now: number): Promise<WindowCounts[]>;
  /** Releases connections and timers. */
  close(): void;
}

/** The store could not answer (Redis unreachable, too slow, or answering nonsense); `reason` is safe to log. */
export class LimitStoreError extends Error {
  override readonly name = 'LimitStoreError';
  constructor(readonly reason: string) {
    super(`limits store unavailable: ${reason}`);
  }
}
