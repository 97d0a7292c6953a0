/**
 * A circuit breaker per deployment: after `failures` consecutive unhealthy failures it opens and the
 * deployment is skipped for `cooldown`; then exactly one request probes it (half-open) and its outcome
 * closes or reopens it. State is per replica; the app creates one BreakerBoard.
 */
import type { BreakerSettings } from './config.ts';

/** Where a breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Gauge values for the state (0 closed, 1 half-open, 2 open), as most dashboards chart them. */
export const BREAKER_GAUGE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** One deployment's breaker. */
export class Breaker {
  private failures = 0;
  private openedAt = 0;
  private opened = false;
  private probeSince: number | undefined;

  constructor(
    public settings: BreakerSettings,
    private readonly now: () => number,
  ) {}

  /** The state now (an open breaker whose cooldown passed reads half-open). */
  get state(): BreakerState {
    if (!this.opened) return 'closed';
    return this.now() - this.openedAt >= this.settings.cooldownMs ? 'half_open' : 'open';
  }

  /** True when a request could be let through now, without taking the probe slot. */
  get available(): boolean {
    const s = this.state;
    return s === 'closed' || (s === 'half_open' && !this.probing());
  }

  /** Lets a request through (taking the one probe slot when half-open), or says no. */
  tryPass(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing()) return false;
    this.probeSince = this.now();
    return true;
  }

  /** The deployment answered: the breaker closes. */
  onSuccess(): void {
    this.failures = 0;
    this.opened = false;
    this.probeSince = undefined;
  }

  /** An unhealthy failure: counts toward opening; a failed probe reopens for another cooldown. */
  onFailure(): void {
    this.failures += 1;
    if (this.opened || this.failures >= this.settings.failures) {
      this.opened = true;
      this.openedAt = this.now();
    }
    this.probeSince = undefined;
  }

  /** An attempt that told nothing about health (the client left, or its request was refused): frees the probe slot. */
  onNeutral(): void {
    this.probeSince = undefined;
  }

  /** A probe that never reports back (its request hung) must not hold the slot for good: one cooldown at most. */
  private probing(): boolean {
    return this.probeSince !== undefined && this.now() - this.probeSince < this.settings.cooldownMs;
  }
}

/** One breaker state for the gauge. */
export interface BreakerReadout {
  deployment: string;
  state: BreakerState;
  value: number;
}

/** Every deployment's breaker, keyed by `provider/model`; survives routing reloads. */
export class BreakerBoard {
  private readonly breakers = new Map<string, Breaker>();

  constructor(private readonly now: () => number) {}

  /** The deployment's breaker, created closed on first use; settings follow the latest file. */
  get(key: string, settings: BreakerSettings): Breaker {
    let b = this.breakers.get(key);
    if (!b) {
      b = new Breaker(settings, this.now);
      this.breakers.set(key, b);
    } else b.settings = settings;
    return b;
  }

  /** The gauge readout: one row per deployment seen. */
  readout(): BreakerReadout[] {
    return [...this.breakers].map(([deployment, b]) => {
      const state = b.state;
      return { deployment, state, value: BREAKER_GAUGE[state] };
    });
  }
}
