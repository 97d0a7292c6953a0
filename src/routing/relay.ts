/**
 * A started stream, relayed in batches of chunks (raw bytes when unchanged) with stall_timeout
 * watched between chunks. A mid-stream failure (cut, stall, error event) is continued on a later deployment
 * with `prefill: true` when the stream allows it; otherwise, or when every continuation is refused,
 * the stream ends with one error item naming the original failure, never the refusal.
 */
import { asGatewayError, GatewayError } from '../errors.ts';
import type { ChatRequest } from '../schemas.ts';
import { limitMs, Watchdog } from './clock.ts';
import type { Deployment, Route } from './config.ts';
import { clientGoneError } from '../exchange/failure.ts';
import { classifyFailure } from './classify.ts';
import type { ChunkStep, FailoverEngine, OpenAttempt, Started, StreamItem, StreamStep } from './engine.ts';
import { continuationRequest, rewriteContinuation, Transcript } from './prefill.ts';

/** Everything the relay needs from the request that started the stream. */
export interface RelayContext {
  engine: FailoverEngine;
  open: OpenAttempt;
  route: Route;
  order: Deployment[];
  index: number;
  started: Extract<Started, { kind: 'stream' }>;
  body: ChatRequest;
  signal: AbortSignal;
  /** The attempt being read now (for the result's `cancel`), and whether the batch handed over last ends the stream normally. */
  live: { opened: Extract<Started, { kind: 'stream' }>['opened']; ended: boolean; terminator?: Uint8Array };
}

const encoder = new TextEncoder();

/** One chunk as SSE bytes, for chunks the gateway rewrote. */
export function encodeChunk(chunk: Record<string, unknown>): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
}

type Current = { d: Deployment; started: Extract<Started, { kind: 'stream' }>; rewrite?: { heldBack: string } };

/**
 * The stream in batches: the chunks already read from the provider together (one write for the
 * caller, one `read`), ending normally or with exactly one error item. A class rather than an async
 * generator: each step of one costs several promises, on every read of every stream.
 */
export class RoutedStream implements AsyncIterable<StreamItem[]> {
  private readonly transcript: Transcript;
  private cur: Current;
  private nextIndex: number;
  private usage: Record<string, unknown> | undefined;
  /** The stream's outcome is accounted for (success, failure, or the client left). */
  private settled = false;
  /** Nothing more to read: `read` answers undefined. */
  private over = false;
  private begun = false;
  private batch: StreamItem[] = [];
  /** The batch being gathered is one provider read's chunks, unchanged. */
  private oneRead = false;
  /**
   * The provider's own bytes of the batch handed over last, when they are exactly its chunks (and its
   * `[DONE]`, when that batch ends the stream): written as they came, rather than joined from each
   * chunk's (a copy of every byte, on every read).
   */
  whole: Uint8Array | undefined;
  private original: GatewayError | undefined;
  private dog: Watchdog | undefined;
  private onOuter: (() => void) | undefined;

  constructor(private readonly ctx: RelayContext) {
    // Without a later prefill deployment the stream cannot be continued: its text need not be kept.
    this.transcript = new Transcript(ctx.order.slice(ctx.index + 1).some((d) => d.prefill));
    this.cur = { d: ctx.order[ctx.index] as Deployment, started: ctx.started };
    this.nextIndex = ctx.index + 1;
  }

  /** The next batch; undefined once the stream is over. */
  async read(): Promise<StreamItem[] | undefined> {
    if (this.over) {
      this.release();
      return undefined;
    }
    try {
      return await this.step();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Lets go of what the stream read once it is relayed. The promises that carry this stream were made
   * before the provider's wait, so the collector may hold them old by now, and whatever they still reach
   * outlives every young collection (peak RSS of routed streams under load −6 MB; bench/README.md,
   * "Routed streams and the collector").
   */
  private release(): void {
    this.ctx.live.terminator = undefined;
    this.whole = undefined;
    this.batch = [];
    this.usage = undefined;
  }

  /** The consumer stops reading (the client left): releases the provider's connection. */
  close(): void {
    this.over = true;
    this.dog?.stop();
    if (this.onOuter) this.ctx.signal.removeEventListener('abort', this.onOuter);
    this.onOuter = undefined;
    if (!this.settled) {
      this.settled = true;
      this.cur.started.opened.abort();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamItem[]> {
    return {
      next: async () => {
        const value = await this.read();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  private attempt(d: Deployment, outcome: 'success' | 'continued' | 'failed', err?: GatewayError): void {
    this.ctx.engine.emit({ type: 'attempt', alias: this.ctx.route.alias, deployment: d.key, outcome, code: err?.code });
  }

  private pass(step: ChunkStep): void {
    const rewrite = this.cur.rewrite;
    const out = rewrite ? rewriteContinuation(step.chunk, this.transcript, rewrite) : step.chunk;
    if (rewrite) this.oneRead = false;
    if (!out) return;
    this.transcript.observe(out);
    if (out.usage !== undefined && typeof out.usage === 'object' && out.usage !== null) this.usage = out.usage as Record<string, unknown>;
    this.batch.push(rewrite ? { done: false, kind: 'chunk', chunk: out, raw: encodeChunk(out) } : step);
  }

  /** Hands over what was gathered; undefined when that is nothing. */
  private take(): StreamItem[] | undefined {
    this.whole = this.oneRead ? this.cur.started.opened.wholeRead?.() : undefined;
    this.oneRead = false;
    const out = this.batch;
    this.batch = [];
    return out.length > 0 ? out : undefined;
  }

  /**
   * The stream ended normally: the last batch (if any), and nothing after it. A whole read is that read's
   * bytes only when it ended on the provider's `[DONE]` (the terminator recorded), which it then includes.
   */
  private finish(): StreamItem[] | undefined {
    const { engine, route, live } = this.ctx;
    if (live.terminator === undefined) this.oneRead = false;
    this.settled = true;
    live.ended = true;
    engine.breakers.get(this.cur.d.key, route.settings.breaker).onSuccess();
    this.attempt(this.cur.d, 'success');
    if (this.usage) engine.emit({ type: 'usage', alias: route.alias, deployment: this.cur.d.key, usage: this.usage });
    this.close();
    return this.take();
  }

  /** Ends with exactly one error item: the batch so far, then the failure. */
  private failWith(err: GatewayError): StreamItem[] {
    this.settled = true;
    this.whole = undefined;
    this.batch.push({ kind: 'error', error: err });
    const out = this.batch;
    this.batch = [];
    this.close();
    return out;
  }

  private watch(c: Current): Watchdog {
    const { engine, route } = this.ctx;
    return new Watchdog(engine.clock, limitMs(route.settings.stallTimeoutMs), () => c.started.opened.abort(stalled(c.d, route.settings.stallTimeoutMs)));
  }

  /** Passes a started attempt's prelude; true when that was the whole stream. */
  private begin(): boolean {
    const started = this.cur.started;
    // The prelude and what follows it in the same read are that read's chunks, unless rewritten.
    this.oneRead = started.oneRead && this.cur.rewrite === undefined;
    for (const step of started.prelude) this.pass(step);
    // Passed on: not kept for the stream's life (see `release`).
    started.prelude.length = 0;
    if (started.ended) {
      this.ctx.live.terminator = started.terminator;
      return true;
    }
    this.dog = this.watch(this.cur);
    return false;
  }

  private async step(): Promise<StreamItem[] | undefined> {
    const ctx = this.ctx;
    if (!this.begun) {
      this.begun = true;
      if (this.begin()) return this.finish();
      // The caller's signal ends the provider's read too (one listener for the stream's life).
      if (ctx.signal !== ctx.engine.idle) {
        this.onOuter = () => this.cur.started.opened.abort(clientGoneError());
        ctx.signal.addEventListener('abort', this.onOuter, { once: true });
      }
    }
    // Bounded by the provider's stream; each continuation moves to a later deployment.
    for (;;) {
      const dog = this.dog as Watchdog;
      let step: StreamStep | undefined;
      try {
        // What was already read goes on without a wait; before waiting, the batch goes to the caller.
        step = this.cur.started.opened.nextRead?.();
        if (step === undefined) {
          if (this.batch.length > 0) return this.take();
          dog.arm();
          step = await this.cur.started.opened.next();
          dog.rest();
          // The batch was handed over before the wait: what follows comes from this one read.
          this.oneRead = true;
        }
        // An aborted read may end quietly rather than throw: a stall never passes for a normal end.
        if (dog.fired) throw new Error('stalled');
      } catch (e) {
        const again = await this.broken(e, dog);
        if (again !== true) return again;
        continue;
      }
      if (step.done) {
        ctx.live.terminator = step.raw;
        return this.finish();
      }
      this.pass(step);
    }
  }

  /** A mid-stream failure: true when a continuation took over, else what to hand over last. */
  private async broken(e: unknown, dog: Watchdog): Promise<true | StreamItem[] | undefined> {
    const { ctx, transcript } = this;
    const { engine, route } = ctx;
    this.cur.started.opened.abort();
    dog.stop();
    const err = ctx.signal.aborted ? clientGoneError() : dog.fired ? stalled(this.cur.d, route.settings.stallTimeoutMs) : asGatewayError(e);
    if (err.code === 'client_gone') {
      this.settled = true;
      this.attempt(this.cur.d, 'failed', err);
      this.close();
      return undefined;
    }
    if (classifyFailure(err).unhealthy) engine.breakers.get(this.cur.d.key, route.settings.breaker).onFailure();
    // Every choice had finished: only the terminator was lost, the answer is whole.
    if (transcript.finished) return this.finish();
    this.original ??= err;
    const next = transcript.continuable ? await continueElsewhere(ctx, this.nextIndex, transcript) : undefined;
    this.attempt(this.cur.d, next ? 'continued' : 'failed', err);
    if (!next) return this.failWith(this.original);
    this.cur = next.cur;
    ctx.live.opened = this.cur.started.opened;
    this.nextIndex = next.index + 1;
    this.usage = undefined;
    if (this.begin()) return this.finish();
    return true;
  }
}

function stalled(d: Deployment, ms: number): GatewayError {
  return new GatewayError(502, 'upstream_timeout_stream', 'Upstream stream timed out', {
    reason: `${d.key}: no chunk within stall_timeout (${ms}ms)`,
  });
}

/** Asks each later deployment with `prefill: true`, once, to continue; undefined when none would. */
async function continueElsewhere(ctx: RelayContext, from: number, transcript: Transcript): Promise<{ cur: Current; index: number } | undefined> {
  const { engine, route } = ctx;
  for (let j = from; j < ctx.order.length; j++) {
    const d = ctx.order[j] as Deployment;
    if (!d.prefill || ctx.signal.aborted) continue;
    const b = engine.breakers.get(d.key, route.settings.breaker);
    if (!b.tryPass()) {
      engine.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'breaker_open' });
      continue;
    }
    const c = continuationRequest({ ...ctx.body, model: d.model }, transcript.text, d.provider);
    try {
      const started = await engine.startAttempt(ctx.open, d, c.body, route.settings, ctx.signal);
      if (started.kind !== 'stream') throw new GatewayError(502, 'upstream_invalid', 'Upstream answered a stream request without a stream');
      b.onSuccess();
      return { cur: { d, started, rewrite: { heldBack: c.heldBack } }, index: j };
    } catch (e) {
      const err = asGatewayError(e);
      // A refusal (the provider rejects prefill) says nothing about its health.
      if (classifyFailure(err).unhealthy) b.onFailure();
      else b.onNeutral();
      engine.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'failed', code: err.code });
    }
  }
  return undefined;
}
