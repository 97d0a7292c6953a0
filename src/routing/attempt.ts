/**
 * The exchange as the engine's OpenAttempt: one chat exchange per attempt (its summary lands in the
 * request's record like any other), the stream read event by event with the provider's bytes kept,
 * and an upstream error event turned into the GatewayError it is. Routing never reaches inside the
 * exchange: it opens it, reads it, and abandons it.
 */
import { chatExchange, type ChatClient, MAX_JSON_ANSWER } from '../chat/forward.ts';
import { checkVision } from '../chat/policy.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { Exchange, SseBatch, StreamEvent } from '../exchange/exchange.ts';
import type { SseBlock } from '../exchange/sse-parser.ts';
import { clientGoneError, streamErrorEvent } from '../exchange/failure.ts';
import { isRecord } from '../json.ts';
import { requireUsableProvider } from '../providers/registry.ts';
import type { ChatRequest } from '../schemas.ts';
import { NEVER_ABORTED } from './clock.ts';
import type { OpenAttempt, OpenedAttempt, StreamStep } from './engine.ts';

const DONE: StreamStep = { done: true };
const NO_BLOCKS: SseBatch['blocks'] = [];

/** Longest stream read after `[DONE]` to let the connection go back to the pool. */
const MAX_DRAIN_READS = 16;

/** The OpenAttempt of one client's chat. */
export function exchangeAttempt(ctx: GatewayContext, client: ChatClient): OpenAttempt {
  let attempts = 0;
  // Not async itself: the common attempt returns openExchange's promise as it is (each async layer costs every request).
  return (d, body, signal) => {
    let exchange: Exchange;
    try {
      // Between attempts (after a backoff) nothing else watches the client: no attempt for one who left.
      if (attempts++ > 0 && client.signal.aborted) throw clientGoneError();
      const provider = requireUsableProvider(ctx.registry, d.provider);
      checkVision(ctx.config.enableVision, provider, body.messages);
      exchange = chatExchange(ctx, provider, body, client);
    } catch (err) {
      return Promise.reject(err);
    }
    // A caller's signal ends the exchange (the client left); the engine's own has nothing to listen to.
    if (signal === NEVER_ABORTED) return openExchange(exchange, body, NO_RELEASE);
    return openWatched(exchange, body, signal);
  };
}

/** Opens the exchange with the caller's signal linked to it until the answer is read or the stream ends. */
async function openWatched(exchange: Exchange, body: ChatRequest, signal: AbortSignal): Promise<OpenedAttempt> {
  const onAbort = (): void => exchange.abort(clientGoneError());
  signal.addEventListener('abort', onAbort, { once: true });
  const release = (): void => signal.removeEventListener('abort', onAbort);
  try {
    const opened = await openExchange(exchange, body, release);
    if (opened.kind === 'json') release();
    return opened;
  } catch (err) {
    release();
    throw err;
  }
}

const NO_RELEASE = (): void => undefined;

/** Opens the exchange and reads a JSON answer whole, or hands over its stream. */
async function openExchange(exchange: Exchange, body: ChatRequest, release: () => void): Promise<OpenedAttempt> {
  await exchange.open();
  if (body.stream === true && exchange.isEventStream) return streamOf(exchange, release);
  const { text, json } = await exchange.json(MAX_JSON_ANSWER);
  return { kind: 'json', status: exchange.answer.status, json, text };
}

/** A chunk step over a parsed block: its bytes are viewed only when asked for (most reads go out whole). */
class BlockChunk {
  readonly done = false;
  readonly kind = 'chunk';
  constructor(
    readonly chunk: Record<string, unknown>,
    private readonly block: SseBlock,
  ) {}

  get raw(): Uint8Array {
    return this.block.raw;
  }
}

function streamOf(exchange: Exchange, release: () => void): OpenedAttempt {
  let blocks = NO_BLOCKS;
  let at = 0;
  let ended = false;
  /** The read's own bytes while every block of it is handed out as a chunk step (see `wholeRead`). */
  let whole: Uint8Array | undefined;
  const end = (): StreamStep => {
    ended = true;
    release();
    return DONE;
  };
  /** The next step from what was already read; undefined when a read is needed. */
  const nextRead = (): StreamStep | undefined => {
    if (ended) return DONE;
    while (at < blocks.length) {
      const block = blocks[at++] as StreamEvent;
      // A read wholly taken is let go at once: this scope was made before the wait, may be old to the
      // collector, and what it points at would outlive young collections (see RoutedStream's `release`).
      if (at === blocks.length) {
        blocks = NO_BLOCKS;
        at = 0;
      }
      if (block.data === undefined) {
        whole = undefined;
        continue;
      }
      if (block.done) {
        // `whole` stays: the read's bytes end with this `[DONE]` (see `wholeRead`).
        void drain(exchange);
        end();
        return { done: true, raw: block.raw };
      }
      if (!isRecord(block.json)) {
        whole = undefined;
        continue;
      }
      const failure = streamErrorEvent(block.json, exchange.provider);
      if (failure) {
        whole = undefined;
        exchange.abort(failure);
        release();
        throw failure;
      }
      return new BlockChunk(block.json, block);
    }
    return undefined;
  };
  const next = async (): Promise<StreamStep> => {
    // Bounded by the provider's stream: every pass consumes a read.
    for (;;) {
      const step = nextRead();
      if (step) return step;
      const batch = await exchange.nextBatch();
      if (!batch) return end();
      blocks = batch.blocks;
      at = 0;
      whole = batch.whole;
    }
  };
  return {
    kind: 'stream',
    status: exchange.answer.status,
    next,
    nextRead,
    wholeRead: () => {
      const bytes = at === blocks.length ? whole : undefined;
      // Asked once per read; not kept for longer (see `nextRead`).
      whole = undefined;
      return bytes;
    },
    abort: (why) => {
      release();
      if (!ended) exchange.abort(why);
    },
  };
}

/** Reads what follows `[DONE]` (usually just the body's end), so that the connection can be reused. */
async function drain(exchange: Exchange): Promise<void> {
  try {
    for (let i = 0; i < MAX_DRAIN_READS; i++) if ((await exchange.nextBatch()) === undefined) return;
    exchange.abort();
  } catch {
    // Whatever came after the answer's end is of no interest.
  }
}
