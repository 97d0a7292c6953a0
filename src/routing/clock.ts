/**
 * Time as routing sees it: injectable, so that tests run backoffs on virtual time. A stream's deadlines
 * (first_token_timeout, stall_timeout) are not here: the attempt keeps them on its exchange's own timer.
 */

/** Monotonic ms, wall time for HTTP dates, and a sleep that ends early (without throwing) when its signal aborts. */
export interface RoutingClock {
  now(): number;
  wallNow(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
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

/** A signal nothing can abort (its controller is dropped at once): what a caller without a signal gets, so that no listener is added to it. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
