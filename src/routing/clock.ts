/** Time as routing sees it: injectable, so that tests run backoffs and timeouts on virtual time. */

/** Monotonic ms, a sleep that ends early (without throwing) when its signal aborts, and wall time for HTTP dates. */
export interface RoutingClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  wallNow(): number;
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
  };
}

/** A limit of 0 (or less) means none. */
export function limitMs(ms: number): number {
  return ms > 0 ? ms : Number.POSITIVE_INFINITY;
}

const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Waits for `work` at most `ms` (no limit when not positive-finite); on time-out throws `onTimeout()`
 * and hands the late result, if it ever comes, to `onLate` so that it can be released.
 */
export async function within<T>(
  clock: RoutingClock,
  work: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  onLate?: (value: T) => void,
): Promise<T> {
  if (!Number.isFinite(ms) || ms === Number.POSITIVE_INFINITY) return work;
  if (ms <= 0) {
    void work.then(onLate, () => undefined);
    throw onTimeout();
  }
  const timer = new AbortController();
  const timeout = clock.sleep(ms, timer.signal).then(() => TIMED_OUT);
  try {
    const r = await Promise.race([work, timeout]);
    if (r === TIMED_OUT) {
      void work.then(onLate, () => undefined);
      throw onTimeout();
    }
    return r as T;
  } finally {
    timer.abort();
  }
}

/**
 * Fires `onFire` once a wait armed with `arm` lasts `ms`. Time between `rest` and the next `arm` (the
 * client reading slowly) does not count. One timer per quiet period rather than one per chunk: a
 * stream of thousands of chunks arms the timer a handful of times.
 */
export class Watchdog {
  private since = 0;
  private waiting = false;
  private readonly stopper = new AbortController();
  /** Set once it fired. */
  fired = false;

  constructor(
    private readonly clock: RoutingClock,
    private readonly ms: number,
    private readonly onFire: () => void,
  ) {
    if (Number.isFinite(ms)) void this.watch();
  }

  /** A wait for the provider starts. */
  arm(): void {
    this.since = this.clock.now();
    this.waiting = true;
  }

  /** The wait ended (something arrived). */
  rest(): void {
    this.waiting = false;
  }

  /** Nothing more to watch. */
  stop(): void {
    this.stopper.abort();
  }

  private async watch(): Promise<void> {
    // Each pass fires or sleeps until the current wait could expire; ends with the stream.
    while (!this.stopper.signal.aborted) {
      const wait = this.waiting ? this.since + this.ms - this.clock.now() : this.ms;
      if (wait <= 0) {
        this.fired = true;
        return this.onFire();
      }
      await this.clock.sleep(wait, this.stopper.signal);
    }
  }
}
