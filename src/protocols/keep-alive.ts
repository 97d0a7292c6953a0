/**
 * Keep-alive for a stream the gateway writes itself: while the provider is silent, the client still
 * hears something (Anthropic clients expect `ping` events), without giving up the read in flight.
 */

/**
 * Wraps `next` so a call that waits longer than `everyMs` returns `idle()` instead; the pending read is
 * kept and the following call carries on waiting for it.
 */
export function withKeepAlive<T>(next: () => Promise<T>, everyMs: number, idle: () => T): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return async () => {
    const read = (pending ??= next());
    // A read that fails while a ping was sent is reported by the next call, not as an unhandled rejection.
    read.catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const quiet = new Promise<typeof IDLE>((resolve) => {
      timer = setTimeout(() => resolve(IDLE), everyMs);
    });
    try {
      const won = await Promise.race([read, quiet]);
      if (won === IDLE) return idle();
      pending = undefined;
      return won as T;
    } catch (err) {
      pending = undefined;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}

const IDLE: unique symbol = Symbol('idle');
