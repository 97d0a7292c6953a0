/**
 * The Responses conversation store in Redis (REDIS_URL), so `previous_response_id` continues a
 * conversation on whichever replica the next request reaches. One key per response, expiring with its
 * TTL. Redis away: a continuation is refused with 503 (its history cannot be found), and a new response
 * is still answered, only not kept.
 */
import { RedisClient } from 'bun';
import { GatewayError } from '../../errors.ts';
import type { ResponseStore, StoredConversation } from './store.ts';

/** Keys share one hash tag, like the limit counters, and a prefix of their own. */
const KEY_PREFIX = '{igw-responses}:';
/** Longest wait for Redis on a request's path. */
const TIMEOUT_MS = 500;

/** A store error's code (never the URL, which holds the password). */
function codeOf(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : err instanceof Error ? err.name : 'unknown error';
}

function withinTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer'), { code: 'TIMEOUT' })), TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class RedisResponseStore implements ResponseStore {
  private readonly client: RedisClient;

  constructor(
    url: string,
    /** Told once per failed operation, with the code only. */
    private readonly onError: (what: string, code: string) => void,
  ) {
    // Reconnects on its own; commands fail at once while Redis is away rather than queue.
    this.client = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: false, connectionTimeout: TIMEOUT_MS });
  }

  async get(id: string): Promise<StoredConversation | undefined> {
    let text: string | null;
    try {
      text = await withinTimeout(this.ready().then(() => this.client.get(KEY_PREFIX + id)));
    } catch (err) {
      this.onError('get', codeOf(err));
      throw new GatewayError(503, 'store_unavailable', 'The conversation store is unavailable; try again shortly', { cause: err, reason: `Redis (REDIS_URL) for previous_response_id: ${codeOf(err)}` });
    }
    return text === null ? undefined : (JSON.parse(text) as StoredConversation);
  }

  async put(id: string, conv: StoredConversation, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    try {
      await withinTimeout(this.ready().then(() => this.client.send('SET', [KEY_PREFIX + id, JSON.stringify(conv), 'PX', String(Math.ceil(ttlMs))])));
    } catch (err) {
      // The answer was given already: it is only not continuable.
      this.onError('put', codeOf(err));
    }
  }

  /** Connected, or connecting now: commands are not queued while the connection is down. */
  private ready(): Promise<void> {
    return this.client.connected ? Promise.resolve() : this.client.connect();
  }

  /** Closes the connection (the app stopped). */
  close(): void {
    this.client.close();
  }
}
