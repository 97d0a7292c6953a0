/** Counters in this process's memory: the default, right for one replica (several would each allow the full limit). */
import type { Adjustment, Charge, ChargeOutcome, CounterRef, LimitStore } from './store.ts';
import { fits, positionOf, prevWeight, type WindowCounts } from './windows.ts';

/** One counter series: the counts of fixed window `index` and of the one before it. */
interface Series {
  index: number;
  prev: number;
  curr: number;
  windowMs: number;
}

// Sweeping on use (rather than on a timer) leaves nothing running when the app is dropped.
const SWEEP_EVERY_MS = 60_000;

/** In-memory counters owned by one app; single-threaded JS makes each operation atomic. */
export class MemoryLimitStore implements LimitStore {
  private readonly series = new Map<string, Series>();
  private lastSweep = 0;

  /** The counts of a series at fixed window `index`, rolled forward (not stored). */
  private countsAt(id: string, index: number): WindowCounts {
    const s = this.series.get(id);
    if (!s || s.index < index - 1) return { prev: 0, curr: 0 };
    if (s.index === index - 1) return { prev: s.curr, curr: 0 };
    return { prev: s.prev, curr: s.curr };
  }

  checkAndCharge(charges: Charge[], now: number): Promise<ChargeOutcome> {
    this.sweep(now);
    const positions = charges.map((c) => positionOf(now, c.windowMs));
    const counts = charges.map((c, i) => this.countsAt(c.id, positions[i]!.index));
    const windows = positions.map((p) => p.index);
    const rejected = charges.findIndex((c, i) => !fits(counts[i]!, prevWeight(positions[i]!), c.amount, c.limit));
    if (rejected >= 0) return Promise.resolve({ rejected, counts, windows });
    charges.forEach((c, i) => {
      const after = { prev: counts[i]!.prev, curr: counts[i]!.curr + c.amount };
      counts[i] = after;
      if (c.amount > 0 || this.series.has(c.id)) this.series.set(c.id, { index: windows[i]!, ...after, windowMs: c.windowMs });
    });
    return Promise.resolve({ counts, windows });
  }

  adjust(adjustments: Adjustment[]): Promise<void> {
    for (const a of adjustments) {
      const s = this.series.get(a.id);
      if (!s) continue;
      if (s.index === a.window) s.curr = Math.max(0, s.curr + a.delta);
      else if (s.index === a.window + 1) s.prev = Math.max(0, s.prev + a.delta);
    }
    return Promise.resolve();
  }

  read(counters: CounterRef[], now: number): Promise<WindowCounts[]> {
    return Promise.resolve(counters.map((c) => this.countsAt(c.id, positionOf(now, c.windowMs).index)));
  }

  /** Drops series whose both windows have slid out, so one-off callers do not accumulate. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, s] of this.series) {
      if (s.index < positionOf(now, s.windowMs).index - 1) this.series.delete(id);
    }
  }

  close(): void {
    this.series.clear();
  }
}
