/**
 * Token corrections waiting to be sent to Redis. They ride along with the next check (one round trip for
 * both) and are sent on their own only when no check comes within a short delay, so a request's
 * correction costs no round trip of its own under load and is never held back long when idle.
 */

/** Corrections per Redis key, summed; a timer owned here sends them when no check takes them first. */
export class PendingCorrections {
  private deltas = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly send: (keys: string[], deltas: string[]) => Promise<void>,
  ) {}

  /** Adds a correction to one counter. */
  add(key: string, delta: number): void {
    if (delta === 0) return;
    this.deltas.set(key, (this.deltas.get(key) ?? 0) + delta);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      // A pending correction must not keep a stopping process alive.
      this.timer.unref?.();
    }
  }

  /** Takes every pending correction (for a check to carry); `restore` puts them back if that check failed. */
  take(): { keys: string[]; deltas: string[]; restore: () => void } {
    const taken = this.deltas;
    this.deltas = new Map();
    this.cancelTimer();
    const keys = [...taken.keys()];
    return {
      keys,
      deltas: keys.map((k) => String(Math.round(taken.get(k)!))),
      restore: () => {
        for (const [k, d] of taken) this.add(k, d);
      },
    };
  }

  /** Sends what is pending now (before a read, or when the delay has passed); a failure keeps them for later. */
  async flush(): Promise<void> {
    const { keys, deltas, restore } = this.take();
    if (keys.length === 0) return;
    try {
      await this.send(keys, deltas);
    } catch {
      // Best effort: counted as a store error by the next check that fails; kept to retry with it.
      restore();
    }
  }

  /** Drops what is pending and the timer. */
  close(): void {
    this.cancelTimer();
    this.deltas.clear();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
