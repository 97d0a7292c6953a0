/**
 * SERVER_READ/WRITE/IDLE_TIMEOUT on Bun's idle timers. Each bounds silence, never length: a stream that
 * keeps flowing is never cut. Bun counts whole seconds (at most 255) and checks every 4 s.
 * (Before a connection's first request head is complete, Bun applies its own fixed ~10 s.)
 */

/** The largest idle timeout Bun accepts, in seconds. */
export const BUN_MAX_IDLE_SECONDS = 255;
/** Bun sweeps idle timers every 4 s: a timer can fire up to 4 s before its time, so 4 s are added. */
const SWEEP_SECONDS = 4;

/** Seconds to hand Bun so a connection is never cut before `ms` of silence; 0 means no limit. */
export function bunIdleSeconds(ms: number): number {
  if (ms <= 0) return 0;
  const seconds = Math.ceil(ms / 1000) + SWEEP_SECONDS;
  // Beyond what Bun can count, no limit is closer to what was asked for than a shorter one.
  return seconds > BUN_MAX_IDLE_SECONDS ? 0 : seconds;
}

/** The longest timeout setting Bun can honour, in milliseconds. */
export const MAX_TIMEOUT_MS = (BUN_MAX_IDLE_SECONDS - SWEEP_SECONDS) * 1000;

/** The three server timeouts, in milliseconds (0 = no limit), as in Config['server']. */
export interface ServerTimeouts {
  readTimeoutMs: number;
  writeTimeoutMs: number;
  idleTimeoutMs: number;
}

/** The shorter of two limits, where 0 means none. */
function shorter(a: number, b: number): number {
  if (a <= 0) return b;
  if (b <= 0) return a;
  return Math.min(a, b);
}

/**
 * Bun keeps one idle timer per connection and says nothing when a streamed response ends, so from the
 * start of a response until the next request one limit must serve both WRITE and IDLE: the shorter.
 */
export function afterResponseSeconds(t: ServerTimeouts): number {
  return bunIdleSeconds(shorter(t.writeTimeoutMs, t.idleTimeoutMs));
}

/** What the hooks get from Elysia as `server` (absent in app.handle, where there is no socket). */
export interface TimeoutServer {
  timeout(request: Request, seconds: number): void;
}

/**
 * Per request. READ bounds pauses while a request body arrives (a stalled upload is dropped); Bun stops
 * that timer once the body is in, so the wait for the answer is left to the upstream deadlines, which
 * answer 504 instead of dropping the connection. From the response on, the shorter of WRITE and IDLE
 * bounds pauses: a stalled stream, a client that stopped reading, a kept-alive connection left idle.
 * A stream that keeps flowing is never cut. Called from the request lifecycle (src/server/lifecycle.ts).
 */
export class ConnectionTimeouts {
  private readonly read: number;
  private readonly after: number;
  /**
   * Held here rather than read from each request's context: a hook that asks Elysia for `server` makes
   * it define a getter on every request's context object, which costs every request.
   */
  private server: TimeoutServer | undefined;

  constructor(t: ServerTimeouts) {
    this.read = bunIdleSeconds(t.readTimeoutMs);
    this.after = afterResponseSeconds(t);
  }

  /** Once listening. Until then (and always in app.handle, which has no socket) the timeouts do nothing. */
  attach(server: TimeoutServer | null | undefined): void {
    this.server = server ?? undefined;
  }

  /** On arrival. Without a body there is nothing to read, and the timer would run on the wait for the answer. */
  arrived(request: Request): void {
    if (!this.server) return;
    // Judged from the headers: the `request.body` getter would build a stream just to ask.
    const h = request.headers;
    const hasBody = h.has('transfer-encoding') || Number(h.get('content-length') ?? 0) > 0;
    this.server.timeout(request, hasBody ? this.read : 0);
  }

  /** Before the response goes out: after a handler, or when an error becomes the response (404s too). */
  responding(request: Request): void {
    this.server?.timeout(request, this.after);
  }
}
