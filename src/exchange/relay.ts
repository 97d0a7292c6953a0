/**
 * Relays a provider's body to the client as it arrives, written straight into the response (Bun's direct
 * stream: no queue, no copy). Each write is awaited, so a client that stops reading stops the provider
 * being read (backpressure); a client that goes away aborts the exchange; a failure after the start
 * becomes one error event, or cuts the body short where the body is not an event stream.
 */
import { asGatewayError, type GatewayError } from '../errors.ts';
import { joinBytes } from '../http/bytes.ts';
import type { Exchange, SseBatch, StreamEvent } from './exchange.ts';
import { clientGoneError } from './failure.ts';
import type { SseBlock } from './sse-parser.ts';
import { isUsageOnlyChunk } from './usage.ts';

const encoder = new TextEncoder();
/** The end of a chat stream. */
export const DONE_EVENT = encoder.encode('data: [DONE]\n\n');

/** Response headers of every relayed event stream. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies in front of the gateway not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/** One SSE event carrying `{"error": message}`: how the gateway's streams say they failed. */
export function sseErrorEvent(message: string): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify({ error: message })}\n\n`);
}

/** Bun's direct-stream constructor: the DOM declaration of ReadableStream, in force here, lacks that overload. */
const DirectReadableStream = ReadableStream as unknown as new <R>(source: Bun.DirectUnderlyingSource<R>) => ReadableStream<R>;

export interface RelayOptions<T = Uint8Array> {
  /** The next item read (bytes, unless `bytes` says what to send for it), undefined at a clean end; throws on a failure. */
  next(): Promise<T | undefined>;
  /** What to send for an item (may be empty); items are bytes without it. */
  bytes?(item: T): Uint8Array;
  /** At a clean end: what to send last, if anything (a `[DONE]` the provider left out). */
  last?(): Uint8Array | undefined;
  /** After a failure: the bytes that tell the client (an error event), or undefined to cut the body. */
  failureBytes(err: GatewayError): Uint8Array | undefined;
  /** The client went away: stop the provider. */
  abandon(): void;
  /** Once, when the relay is over; `err` when it failed. */
  onEnd?(err?: GatewayError): void;
}

/** The client's body. */
export function relay<T = Uint8Array>(opts: RelayOptions<T>): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = (err?: GatewayError) => {
    if (finished) return;
    finished = true;
    opts.onEnd?.(err);
  };
  const clientLeft = () => {
    finish(clientGoneError());
    opts.abandon();
  };
  /** Sends bytes on; false when the client is gone. */
  const send = async (controller: ReadableStreamDirectController, bytes: Uint8Array): Promise<boolean> => {
    try {
      const written = controller.write(bytes);
      // Sent at once (an event must not wait for more), but not waited on: a pending write is what
      // signals a full socket.
      const flushed = controller.flush();
      if (flushed instanceof Promise) flushed.catch(() => undefined);
      if (written instanceof Promise) await written;
      return !finished;
    } catch {
      clientLeft();
      return false;
    }
  };
  const pull = async (controller: ReadableStreamDirectController): Promise<void> => {
    try {
      // `next` is awaited here, not through a wrapper that maps it: each async layer costs every read.
      for (let item = await opts.next(); item !== undefined; item = await opts.next()) {
        const bytes = opts.bytes ? opts.bytes(item) : (item as Uint8Array);
        if (bytes.byteLength > 0 && !(await send(controller, bytes))) return;
      }
      const last = opts.last?.();
      if (last && !(await send(controller, last))) return;
      finish();
      controller.close();
    } catch (cause) {
      const err = asGatewayError(cause);
      finish(err);
      if (err.code === 'client_gone') return controller.close();
      const tail = opts.failureBytes(err);
      if (tail === undefined) return controller.close(new Error(err.message));
      if (await send(controller, tail)) controller.close();
    }
  };
  return new DirectReadableStream<Uint8Array>({ type: 'direct', pull, cancel: clientLeft });
}

/** A read's blocks as bytes: the read itself when its blocks are all of it, else the blocks joined. */
export function batchBytes(batch: SseBatch, blocks: readonly SseBlock[] = batch.blocks): Uint8Array {
  if (batch.whole && blocks.length === batch.blocks.length) return batch.whole;
  return blocks.length === 0 ? new Uint8Array(0) : joinBytes(blocks.map((b) => b.raw));
}

/** How a chat stream is passed on. */
export interface ChatRelayOptions {
  /** Drop the usage-only chunk the gateway asked for on the client's behalf. */
  stripUsage: boolean;
  onEnd?(err?: GatewayError): void;
}

/** Where a chat stream's reads come from: one exchange, or routing's stream over its deployments. */
export interface ChatReads {
  /** The next read's events, undefined at a clean end; throws the GatewayError that ended the stream. */
  nextBatch(): Promise<SseBatch | undefined>;
  /** The provider's own `[DONE]` went out (none is added). */
  readonly sawDone: boolean;
  /** The client went away. */
  abort(): void;
}

/**
 * A chat stream, relayed: the provider's own bytes where nothing is dropped, whole events only (so a
 * malformed event never reaches the client), a `[DONE]` added when the provider ended without one, one
 * error event on a failure after the start.
 */
export function relayChatStream(reads: ChatReads, opts: ChatRelayOptions): ReadableStream<Uint8Array> {
  const dropped = (block: SseBlock | StreamEvent) => 'json' in block && isUsageOnlyChunk(block.json);
  const kept = (block: SseBlock | StreamEvent) => !dropped(block);
  return relay<SseBatch>({
    next: () => reads.nextBatch(),
    bytes: (batch) => (opts.stripUsage && batch.blocks.some(dropped) ? batchBytes(batch, batch.blocks.filter(kept)) : batchBytes(batch)),
    last: () => (reads.sawDone ? undefined : DONE_EVENT),
    failureBytes: (err) => sseErrorEvent(err.message),
    abandon: () => reads.abort(),
    onEnd: opts.onEnd,
  });
}

/** A provider body passed on byte for byte (the proxy): a failure is an error event for event streams, a cut body otherwise. */
export function relayRaw(exchange: Exchange, onEnd?: (err?: GatewayError) => void): ReadableStream<Uint8Array> {
  const sse = exchange.isEventStream;
  return relay({
    next: () => exchange.nextRaw(),
    failureBytes: (err) => (sse ? sseErrorEvent(err.message) : undefined),
    abandon: () => exchange.abort(),
    onEnd,
  });
}
