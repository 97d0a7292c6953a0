/**
 * Time as routing sees it: injectable, so that tests run backoffs and timeouts on virtual time. The
 * hot path holds no promise-per-timer and no AbortSignal.any: a deadline is a re-settable timer, and
 * a stream's stall watch arms the timer once per quiet period, not once per chunk (each costs CPU on
 * every request; see bench/README.md, "Hot-path tricks kept").
 */

/** A timer that can be moved or dropped. */
export interface Deadline {
  /** Fires `ms` from now (replacing any earlier setting). */
  set(ms: number): void;
  /** Will not fire (until set again). */
  clear(): void;
}

/** Monotonic ms, wall time for HTTP dates, a sleep that ends early (without throwing) when its signal aborts, and deadlines. */
export interface RoutingClock {
  now(): number;
  wallNow(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  deadline(onFire: () => void): Deadline;
}

/** The real clock. */
export function systemClock(): RoutingClock {
  return {
    now: () => performance.now(),
    wallNow: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
      }),
    deadline: (onFire) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      return {
        set: (ms) => {
          clearTimeout(timer);
          timer = setTimeout(onFire, ms);
        },
        clear: () => clearTimeout(timer),
      };
    },
  };
}

/** A signal nothing can abort (its controller is dropped at once): what a caller without a signal gets, so that no listener is added to it. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** A limit of 0 (or less) means none. */
export function limitMs(ms: number): number {
  return ms > 0 ? ms : Number.POSITIVE_INFINITY;
}

/** Fires `onFire` once a wait armed with `arm` lasts `ms`; time between `rest` and the next `arm` (a slow client reading) does not count. */
export class Watchdog {
  private since = 0;
  private waiting = false;
  private scheduled = false;
  private stopped = false;
  private readonly timer: Deadline | undefined;
  /** Set once it fired. */
  fired = false;

  constructor(
    private readonly clock: RoutingClock,
    private readonly ms: number,
    private readonly onFire: () => void,
  ) {
    this.timer = Number.isFinite(ms) ? clock.deadline(this.check) : undefined;
  }

  /** A wait for the provider starts. */
  arm(): void {
    this.since = this.clock.now();
    this.waiting = true;
    if (!this.scheduled && this.timer && !this.stopped) {
      this.scheduled = true;
      this.timer.set(this.ms);
    }
  }

  /** The wait ended (something arrived). */
  rest(): void {
    this.waiting = false;
  }

  /** Nothing more to watch. */
  stop(): void {
    this.stopped = true;
    this.timer?.clear();
  }

  private readonly check = (): void => {
    this.scheduled = false;
    // Not waiting now: the next `arm` sets the timer again.
    if (!this.waiting || this.stopped) return;
    const left = this.since + this.ms - this.clock.now();
    if (left > 0) {
      this.scheduled = true;
      this.timer?.set(left);
      return;
    }
    this.fired = true;
    this.onFire();
  };
}
