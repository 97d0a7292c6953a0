/** Counters in Redis (REDIS_URL), shared by every replica; one round trip per check, with Bun's own client. */
import { RedisClient } from 'bun';
import { PendingCorrections } from './redis-corrections.ts';
import { ADJUST, CHECK_AND_CHARGE, READ, type Script } from './redis-scripts.ts';
import { LimitStoreError, type Adjustment, type Charge, type ChargeOutcome, type CounterRef, type LimitStore } from './store.ts';
import { positionOf, prevWeight, type WindowCounts } from './windows.ts';

/** How the Redis store behaves when Redis is slow or away. */
export interface RedisStoreOptions {
  /** Longest wait for one operation (connecting included) before it counts as a store error. */
  timeoutMs: number;
  /** Least time between two connection attempts while Redis is away. */
  reconnectIntervalMs: number;
  /** Prefix of every key, so several gateways (or tests) can share one Redis database. */
  keyPrefix: string;
  /** Longest a token correction waits for a check to carry it before it is sent on its own. */
  correctionDelayMs: number;
  /** Called with each operation's round-trip time in seconds (for the metrics). */
  onRoundTrip?: (seconds: number) => void;
  /** Called each time a connection to Redis is made (at start and after an outage). */
  onConnected?: () => void;
}

/**
 * Defaults: a check waits at most 250 ms; reconnection is tried at most once a second. The `{...}` hash tag
 * puts every counter in one Redis Cluster slot, since one script touches the counters of several callers.
 */
export const REDIS_STORE_DEFAULTS: Readonly<RedisStoreOptions> = Object.freeze({ timeoutMs: 250, reconnectIntervalMs: 1000, keyPrefix: '{igw-limits}:', correctionDelayMs: 50 });

const CONNECT_TIMEOUT_MS = 5000;

/** The code of a client error (ERR_REDIS_CONNECTION_CLOSED, ...), never its URL or password. */
function reasonOf(err: unknown): string {
  if (err instanceof LimitStoreError) return err.reason;
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.name : 'unknown error';
}

/** A key part safe for any caller or team text (`:` separates parts). */
function keyOf(prefix: string, id: string, window: number): string {
  return `${prefix}${encodeURIComponent(id)}:${window}`;
}

/** Redis-backed counters; reconnects on its own (on the next operation after an outage). */
export class RedisLimitStore implements LimitStore {
  private readonly client: RedisClient;
  private readonly options: RedisStoreOptions;
  private connecting: Promise<void> | undefined;
  private lastAttempt = 0;
  private closed = false;
  private readonly corrections: PendingCorrections;

  constructor(url: string, options: Partial<RedisStoreOptions> = {}) {
    this.options = { ...REDIS_STORE_DEFAULTS, ...options };
    // Bun's own reconnection gives up after a number of tries and queues commands meanwhile; a limit
    // check must fail fast instead, and reconnection must never give up, so both are done here.
    this.client = new RedisClient(url, {
      autoReconnect: false,
      enableOfflineQueue: false,
      // Longer than one operation's deadline: a connection that is slow to come up (a busy start) is
      // still made in the background, and the checks that gave up on it meanwhile fail by the fail mode.
      connectionTimeout: CONNECT_TIMEOUT_MS,
    });
    this.client.onclose = () => undefined;
    this.corrections = new PendingCorrections(this.options.correctionDelayMs, async (keys, deltas) => {
      await this.run(ADJUST, keys, deltas);
    });
    void this.ensureConnected().catch(() => undefined);
  }

  /** Resolves once connected; starts at most one attempt per reconnect interval and shares it. */
  private ensureConnected(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    if (this.connecting) return this.connecting;
    const now = performance.now();
    if (this.lastAttempt !== 0 && now - this.lastAttempt < this.options.reconnectIntervalMs) {
      return Promise.reject(new LimitStoreError('not connected (reconnecting)'));
    }
    this.lastAttempt = now;
    this.connecting = this.client
      .connect()
      .then(() => this.options.onConnected?.())
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** Runs a script (EVALSHA, falling back to EVAL once Redis has forgotten it, as after a restart) within the timeout. */
  private async run(script: Script, keys: string[], args: string[]): Promise<unknown> {
    if (this.closed) throw new LimitStoreError('store closed');
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LimitStoreError(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    const work = (async () => {
      await this.ensureConnected();
      const argv = [String(keys.length), ...keys, ...args];
      try {
        return await this.client.send('EVALSHA', [script.sha, ...argv]);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await this.client.send('EVAL', [script.text, ...argv]);
      }
    })();
    work.catch(() => undefined); // a late failure after the deadline has nobody left to tell
    try {
      const result: unknown = await Promise.race([work, deadline]);
      this.options.onRoundTrip?.((performance.now() - started) / 1000);
      return result;
    } catch (err) {
      throw err instanceof LimitStoreError ? err : new LimitStoreError(reasonOf(err));
    } finally {
      clearTimeout(timer);
    }
  }

  async checkAndCharge(charges: Charge[], now: number): Promise<ChargeOutcome> {
    const positions = charges.map((c) => positionOf(now, c.windowMs));
    const windows = positions.map((p) => p.index);
    if (charges.length === 0) return { counts: [], windows };
    const keys = charges.flatMap((c, i) => [keyOf(this.options.keyPrefix, c.id, windows[i]! - 1), keyOf(this.options.keyPrefix, c.id, windows[i]!)]);
    // A counter lives for its own window and the next one (where it is the previous window), plus a margin for clock skew.
    const args = charges.flatMap((c, i) => [String(c.limit), String(c.amount), String(prevWeight(positions[i]!)), String(2 * c.windowMs + 60_000)]);
    const carried = this.corrections.take();
    let reply: unknown;
    try {
      reply = await this.run(CHECK_AND_CHARGE, [...keys, ...carried.keys], [String(charges.length), ...args, ...carried.deltas]);
    } catch (err) {
      carried.restore();
      throw err;
    }
    if (!Array.isArray(reply) || reply.length !== 1 + 2 * charges.length || !reply.every((v) => typeof v === 'number')) {
      throw new LimitStoreError('unexpected script reply');
    }
    const numbers = reply as number[];
    const counts = charges.map((_, i) => ({ prev: numbers[1 + 2 * i]!, curr: numbers[2 + 2 * i]! }));
    const rejected = numbers[0]! > 0 ? numbers[0]! - 1 : undefined;
    return rejected === undefined ? { counts, windows } : { rejected, counts, windows };
  }

  /** Queues the corrections: the next check carries them, or they are sent within `correctionDelayMs`. */
  adjust(adjustments: Adjustment[]): Promise<void> {
    for (const a of adjustments) this.corrections.add(keyOf(this.options.keyPrefix, a.id, a.window), Math.round(a.delta));
    return Promise.resolve();
  }

  async read(counters: CounterRef[], now: number): Promise<WindowCounts[]> {
    if (counters.length === 0) return [];
    await this.corrections.flush(); // what the caller reads includes its own corrections
    const keys = counters.flatMap((c) => {
      const index = positionOf(now, c.windowMs).index;
      return [keyOf(this.options.keyPrefix, c.id, index - 1), keyOf(this.options.keyPrefix, c.id, index)];
    });
    const reply = await this.run(READ, keys, []);
    if (!Array.isArray(reply)) throw new LimitStoreError('unexpected read reply');
    const n = (i: number) => Number(reply[i] ?? 0) || 0;
    return counters.map((_, i) => ({ prev: n(2 * i), curr: n(2 * i + 1) }));
  }

  close(): void {
    this.corrections.close();
    this.closed = true;
    this.client.close();
  }
}

