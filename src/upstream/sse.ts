/** Relays an upstream SSE body to the client chunk by chunk, with gap timeouts and an honest ending. */
import { GatewayError } from '../errors.ts';
import type { UpstreamCall } from './client.ts';
import { ClientGoneError, unwatch } from './deadlines.ts';

const encoder = new TextEncoder();
const DONE = encoder.encode('data: [DONE]\n\n');
const DONE_TEXT = 'data: [DONE]';
const BLANK_LINE = encoder.encode('\n\n');
const LF = 10;
/** Bytes kept from the end of a relayed stream: enough to see its closing `[DONE]`. */
const TAIL_BYTES = 64;
const decoder = new TextDecoder();

/** Bun's direct-stream constructor: the DOM declaration of ReadableStream, in force here, lacks that overload. */
const DirectReadableStream = ReadableStream as unknown as new <R>(source: Bun.DirectUnderlyingSource<R>) => ReadableStream<R>;

/** True when the bytes end an SSE event (a blank line), or nothing was sent yet. */
function endsEvent(bytes: Uint8Array): boolean {
  const n = bytes.byteLength;
  return n >= 2 && bytes[n - 1] === LF && bytes[n - 2] === LF;
}

/** One SSE event carrying `{"error": message}`. */
export function sseErrorEvent(message: string): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify({ error: message })}\n\n`);
}

/** What a relay reports to observers (telemetry, the agent loop). */
export interface RelayObserver {
  /** Sees each upstream chunk and returns what to send on (usually the same bytes). */
  chunk?(bytes: Uint8Array): Uint8Array;
  /** At a clean end: whatever the observer still held back. */
  flush?(): Uint8Array;
  /** Called once; `error` is set when the stream failed after it started. */
  end?(error?: string): void;
}

export interface RelayOptions {
  /** Bound on the wait for the first chunk and between chunks. */
  gapTimeoutMs: number;
  /** Append `data: [DONE]` when the upstream ended cleanly without one (chat streams). */
  ensureDone: boolean;
  /** On a failure after the start, send one error event (SSE bodies); otherwise cut the body short. */
  errorEvent?: boolean;
  observer?: RelayObserver;
}

/** Ends with `[DONE]` after optional whitespace. */
function endsWithDone(tail: Uint8Array): boolean {
  return decoder.decode(tail).trimEnd().endsWith(DONE_TEXT);
}

/**
 * The last TAIL_BYTES of `prev` followed by `next`. Kept as bytes and decoded once at the end: decoding
 * every chunk cost ~5% of a stream's CPU (bench/ab.ts --stream).
 */
function keepTail(prev: Uint8Array, next: Uint8Array): Uint8Array {
  if (next.byteLength >= TAIL_BYTES) return next.slice(next.byteLength - TAIL_BYTES);
  const joined = new Uint8Array(prev.byteLength + next.byteLength);
  joined.set(prev);
  joined.set(next, prev.byteLength);
  return joined.byteLength > TAIL_BYTES ? joined.slice(joined.byteLength - TAIL_BYTES) : joined;
}

/**
 * A relay written straight into the response (Bun's direct stream: no queue, no copy, one pull for the
 * whole body). Each write is awaited, so a client that stops reading stops the upstream being read
 * (backpressure); a client that goes away cancels it; a failure after the start becomes one error event.
 */
export function relaySse(call: UpstreamCall, opts: RelayOptions): ReadableStream<Uint8Array> {
  const body = call.response.body;
  const reader = body?.getReader();
  let tail: Uint8Array = new Uint8Array(0);
  let finished = false;
  let endedClean = true;
  // One watch for the whole relay; its clock runs only while waiting on the upstream, never while a
  // slow client reads.
  const gap = call.watch(0);
  const readWithin = async () => {
    if (opts.gapTimeoutMs > 0) gap.deadline = performance.now() + opts.gapTimeoutMs;
    try {
      return await reader!.read();
    } finally {
      gap.deadline = Number.POSITIVE_INFINITY;
    }
  };

  const finish = (error?: string) => {
    if (finished) return;
    finished = true;
    unwatch(gap);
    opts.observer?.end?.(error);
  };

  const clientLeft = () => {
    finish('client disconnected');
    call.abort(new ClientGoneError('client disconnected'));
    void reader?.cancel().catch(() => undefined);
  };

  /** Sends bytes on; false when the client is gone. */
  const send = async (controller: ReadableStreamDirectController, bytes: Uint8Array): Promise<boolean> => {
    try {
      const written = controller.write(bytes);
      // Sent at once (an event must not wait for more), but not waited on: waiting for each flush
      // delayed the first event by ~0.1 ms. A pending write is what signals a full socket.
      const flushed = controller.flush();
      if (flushed instanceof Promise) flushed.catch(() => undefined);
      if (written instanceof Promise) await written;
      return !finished;
    } catch {
      clientLeft();
      return false;
    }
  };

  const relay = async (controller: ReadableStreamDirectController): Promise<void> => {
    if (!reader) {
      finish();
      await send(controller, DONE);
      controller.close();
      return;
    }
    try {
      for (;;) {
        const { done, value } = await readWithin();
        if (done) break;
        const out = opts.observer?.chunk ? opts.observer.chunk(value) : value;
        if (out.byteLength === 0) continue;
        if (opts.ensureDone) tail = keepTail(tail, out);
        endedClean = endsEvent(out);
        if (!(await send(controller, out))) return;
      }
      const rest = opts.observer?.flush?.();
      if (rest && rest.byteLength > 0) {
        if (opts.ensureDone) tail = keepTail(tail, rest);
        if (!(await send(controller, rest))) return;
      }
      if (opts.ensureDone && !endsWithDone(tail) && !(await send(controller, DONE))) return;
      finish();
      controller.close();
    } catch (err) {
      if (call.signal.reason instanceof ClientGoneError) {
        finish('client disconnected');
        controller.close();
        return;
      }
      const timedOut = gap.timedOut;
      const broken = err instanceof GatewayError && !timedOut;
      if (broken) call.abort(err);
      const message = timedOut ? 'Upstream stream timed out' : broken ? err.message : 'Upstream connection lost during the stream';
      finish(message);
      if (opts.errorEvent === false) {
        controller.close(new Error(message));
        return;
      }
      // After a cut-off event, a blank line first, so the error is an event of its own.
      if (!endedClean && !(await send(controller, BLANK_LINE))) return;
      if (await send(controller, sseErrorEvent(message))) controller.close();
    }
  };

  return new DirectReadableStream<Uint8Array>({ type: 'direct', pull: relay, cancel: clientLeft });
}
