/**
 * Tokens already verified, so a client sending the same bearer token on every call pays for one
 * signature check, not one per request (an RS256 check with jose costs ~50 µs of CPU, as much as the
 * whole chat path). Only accepted tokens are kept, each until its `exp` and never longer than `maxAgeMs`,
 * so a key the issuer withdraws stops being honoured within that time.
 */
import type { JWTPayload } from 'jose';

interface Entry {
  payload: JWTPayload;
  /** Date.now() time after which the token is checked again. */
  until: number;
}

export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Entries kept at most; the oldest goes first. */
    private readonly capacity: number,
    /** The longest a verdict is reused. */
    private readonly maxAgeMs: number,
  ) {}

  /** The claims of a token verified earlier and not yet due for another check. */
  get(token: string): JWTPayload | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (Date.now() < entry.until) return entry.payload;
    this.entries.delete(token);
    return undefined;
  }

  /** Remembers an accepted token (one without a future `exp` is not kept). */
  add(token: string, payload: JWTPayload): void {
    const now = Date.now();
    const until = Math.min(typeof payload.exp === 'number' ? payload.exp * 1000 : now, now + this.maxAgeMs);
    if (until <= now || this.capacity <= 0) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { payload, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
