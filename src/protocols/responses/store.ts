/**
 * Where `previous_response_id` finds the conversation it continues, for providers the gateway translates
 * for. The stored value is the chat messages so far (the input, translated, and the answer), without the
 * instructions; a continuation puts them before its own input. The app owns the store (no module state);
 * a Redis implementation can take this interface once shared state exists.
 */
import type { ChatMessage } from '../../schemas.ts';
import { assistantTurn } from './answer.ts';
import type { ResponsesOutputItem, ResponsesRequest } from './types.ts';

/** What one stored response holds. */
export interface StoredConversation {
  messages: ChatMessage[];
}

/** Conversations by response id, each kept for its TTL. */
export interface ResponseStore {
  get(id: string): Promise<StoredConversation | undefined>;
  put(id: string, conv: StoredConversation, ttlMs: number): Promise<void>;
}

/** Default time a conversation stays continuable. */
export const DEFAULT_TTL_MS = 60 * 60 * 1000;

/** What to store once a response is done: the conversation and the answer; nothing when `store: false`. */
export function conversationAfter(
  req: Pick<ResponsesRequest, 'store'>,
  conversation: readonly ChatMessage[],
  output: readonly ResponsesOutputItem[],
): StoredConversation | undefined {
  if (req.store === false) return undefined;
  return { messages: [...conversation, assistantTurn(output)] };
}

/** Default number of conversations the memory store keeps. */
export const DEFAULT_MAX_ENTRIES = 1000;

/**
 * In memory, bounded by count: at the bound, expired entries go first, then the oldest. A copy per
 * gateway process, which is fine for one copy; several copies behind a balancer need a shared store.
 */
export class MemoryResponseStore implements ResponseStore {
  private readonly entries = new Map<string, { conv: StoredConversation; expires: number }>();

  constructor(
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /** The conversation, unless absent or expired (an expired one is dropped). */
  async get(id: string): Promise<StoredConversation | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return structuredClone(e.conv);
  }

  /** Keeps a copy of the conversation for `ttlMs`; a TTL of 0 or less keeps nothing. */
  async put(id: string, conv: StoredConversation, ttlMs: number): Promise<void> {
    if (ttlMs <= 0 || this.maxEntries <= 0) return;
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(id, { conv: structuredClone(conv), expires: this.now() + ttlMs });
  }

  /** How many conversations are held (expired ones included until touched). */
  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, e] of this.entries) if (e.expires <= now) this.entries.delete(id);
    // Map order is insertion order: the first key is the oldest.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
