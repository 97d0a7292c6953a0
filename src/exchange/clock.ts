/**
 * Deadlines and client hang-ups of provider exchanges, watched on one clock per app. A timer per phase
 * (and an abort listener on the client's signal) cost more CPU than a set swept every TICK_MS
 * (bench/README.md, "Hot-path tricks kept"); the sweep runs only while something is watched.
 */

/** How late a deadline or a hang-up may be noticed. */
const TICK_MS = 20;

/** Why a watch fired. */
export type WatchEnd = 'deadline' | 'client';

/** One phase of an exchange under watch: `onEnd` runs once, at `deadline` or when the client went away. */
export class Watch {
  /** performance.now() time; Infinity while the clock is stopped for it (a slow client is reading). */
  deadline = Number.POSITIVE_INFINITY;
  /** Set once it fired. */
  ended: WatchEnd | undefined;
  private sweeps = 0;

  constructor(
    private readonly clientGone: (() => boolean) | undefined,
    private readonly onEnd: (why: WatchEnd) => void,
  ) {}

  /** True when it fired. The client is first asked on the second sweep: most exchanges end before that. */
  check(now: number): boolean {
    if (this.sweeps++ > 0 && this.clientGone?.()) return this.fire('client');
    if (now < this.deadline) return false;
    return this.fire('deadline');
  }

  private fire(why: WatchEnd): true {
    this.ended = why;
    this.onEnd(why);
    return true;
  }
}

/** The app's one clock for every exchange. */
export class DeadlineClock {
  private readonly watched = new Set<Watch>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  /** Watches a phase: `ms` from now (0 or less: only the client), until `unwatch`. */
  watch(ms: number, clientGone: (() => boolean) | undefined, onEnd: (why: WatchEnd) => void): Watch {
    const w = new Watch(clientGone, onEnd);
    if (ms > 0) w.deadline = performance.now() + ms;
    if (this.stopped) return w;
    this.watched.add(w);
    if (this.timer === undefined) this.timer = setInterval(this.sweep, TICK_MS);
    return w;
  }

  unwatch(w: Watch): void {
    this.watched.delete(w);
  }

  /** How many phases are watched now (tests: two apps never see each other's). */
  get size(): number {
    return this.watched.size;
  }

  /** Stops the sweep for good (the app stopped). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const w of this.watched) if (w.check(now)) this.watched.delete(w);
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  };
}
