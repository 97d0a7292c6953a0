/**
 * A started stream, relayed a provider read at a time: a read the gateway leaves alone is handed on as
 * it came (its bytes go out as the provider sent them), checked on the way for an upstream error event,
 * the answer's finish and its usage. A mid-stream failure (cut, stall, error event) is continued on a
 * later deployment with `prefill: true` when the stream allows it; otherwise, or when every continuation
 * is refused, the stream fails with the original failure, never the refusal.
 */
import { asGatewayError, GatewayError } from '../errors.ts';
import type { SseBatch, StreamEvent } from '../exchange/exchange.ts';
import { clientGoneError, streamErrorEvent } from '../exchange/failure.ts';
import { SseBlock } from '../exchange/sse-parser.ts';
import { isRecord } from '../json.ts';
import type { ChatRequest } from '../schemas.ts';
import type { Deployment, Route } from './config.ts';
import { classifyFailure } from './classify.ts';
import type { RunCaller, Started } from './contract.ts';
import type { FailoverEngine } from './engine.ts';
import { continuationRequest, rewriteContinuation, Transcript } from './prefill.ts';
import { startAttempt } from './start.ts';

/** Everything the relay needs from the request that started the stream. */
export interface RelayContext {
  engine: FailoverEngine;
  caller: Opener;
  route: Route;
  order: Deployment[];
  index: number;
  started: Extract<Started, { kind: 'stream' }>;
  body: ChatRequest;
  signal: AbortSignal;
}

/** How attempts are opened: the run's caller. */
type Opener = Pick<RunCaller<unknown>, 'open'>;

/** One rewritten chunk as an event of the stream. */
function chunkEvent(chunk: Record<string, unknown>): StreamEvent {
  const data = JSON.stringify(chunk);
  const event = new SseBlock(`data: ${data}\n\n`) as StreamEvent;
  event.data = data;
  event.json = chunk;
  return event;
}

type StreamAttempt = Extract<Started, { kind: 'stream' }>['opened'];
/** The attempt being relayed: its deployment, its stream, whether its prelude reached the body's end, and how its chunks are rewritten when it continues another. */
type Current = { d: Deployment; opened: StreamAttempt; ended: boolean; rewrite?: { heldBack: string } };

/** What continuing elsewhere needs, kept only when a later deployment takes prefill. */
interface Continuation {
  caller: Opener;
  body: ChatRequest;
  order: Deployment[];
}

/** A continuation took over the stream. */
const CONTINUED: unique symbol = Symbol('continued');
const NO_EVENTS: SseBatch = { blocks: [] };

/**
 * The stream a provider read at a time (one write for the caller each), ending at the provider's end,
 * or by throwing the failure that broke it once the reads before it were handed on. A class rather than
 * an async generator: each step of one costs several promises, on every read of every stream.
 */
export class RoutedStream {
  private readonly engine: FailoverEngine;
  private readonly route: Route;
  private readonly signal: AbortSignal;
  /**
   * Set only when the stream can be continued. Whatever a stream holds lives as long as it does, and may
   * outlive young collections: the request's body is not kept for nothing (bench/README.md, "Routed
   * streams and the collector").
   */
  private readonly continuation: Continuation | undefined;
  private readonly transcript: Transcript;
  private cur: Current;
  private nextIndex: number;
  /** Reads of a started attempt not yet handed on (its prelude). */
  private pending: SseBatch[] | undefined;
  private usage: Record<string, unknown> | undefined;
  /** The stream's outcome is accounted for (success, failure, or the client left). */
  private settled = false;
  /** Nothing more to read: `nextBatch` answers undefined. */
  private over = false;
  /** The read handed on last ended with the provider's `[DONE]`. */
  private doneSeen = false;
  /** An error event cut the read handed on last: the stream broke there. */
  private brokenBy: GatewayError | undefined;
  private original: GatewayError | undefined;
  private onOuter: (() => void) | undefined;

  constructor(ctx: RelayContext) {
    this.engine = ctx.engine;
    this.route = ctx.route;
    this.signal = ctx.signal;
    let continuable = false;
    for (let j = ctx.index + 1; j < ctx.order.length; j++) if (ctx.order[j]?.prefill) continuable = true;
    this.continuation = continuable ? { caller: ctx.caller, body: ctx.body, order: ctx.order } : undefined;
    // Without a later prefill deployment the stream cannot be continued: its text need not be kept.
    this.transcript = new Transcript(continuable);
    const started = ctx.started;
    this.cur = { d: ctx.order[ctx.index] as Deployment, opened: started.opened, ended: started.ended };
    this.nextIndex = ctx.index + 1;
    this.pending = started.prelude;
    // The caller's signal ends the provider's read too (one listener for the stream's life).
    if (ctx.signal !== ctx.engine.idle) {
      this.onOuter = () => this.cur.opened.abort(clientGoneError());
      ctx.signal.addEventListener('abort', this.onOuter, { once: true });
    }
  }

  /** True once the stream ended on the provider's own `[DONE]` (which went out with its read). */
  get sawDone(): boolean {
    return this.doneSeen;
  }

  /** The next read to hand on; undefined once the stream is over; throws the failure that ended it (after the reads before it). */
  async nextBatch(): Promise<SseBatch | undefined> {
    if (this.over) return undefined;
    try {
      return await this.step();
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** The consumer stops reading (the client left): releases the provider's connection. */
  abort(): void {
    this.over = true;
    this.pending = undefined;
    if (this.onOuter) this.signal.removeEventListener('abort', this.onOuter);
    this.onOuter = undefined;
    if (!this.settled) {
      this.settled = true;
      this.cur.opened.abort();
    }
  }

  private attempt(d: Deployment, outcome: 'success' | 'continued' | 'failed', err?: GatewayError): void {
    this.engine.emit({ type: 'attempt', alias: this.route.alias, deployment: d.key, outcome, code: err?.code });
  }

  private async step(): Promise<SseBatch | undefined> {
    // Bounded by the provider's stream; each continuation moves to a later deployment.
    for (;;) {
      if (this.brokenBy) {
        if ((await this.broken(this.brokenBy)) !== CONTINUED) return undefined;
        continue;
      }
      let batch: SseBatch | undefined;
      /** The body ended with this read (a prelude that reached the end). */
      let last = false;
      const pending = this.pending;
      if (pending !== undefined) {
        // Handed on now: not kept for the stream's life.
        this.pending = undefined;
        last = this.cur.ended;
        batch = pending.length === 1 ? pending[0] : joinReads(pending);
        // The list may be old to the collector (the engine's frames reach it): it must not keep the reads.
        pending.length = 0;
      } else {
        try {
          batch = await this.cur.opened.read();
        } catch (e) {
          if ((await this.broken(e)) !== CONTINUED) return undefined;
          continue;
        }
        if (batch === undefined) return this.finish();
      }
      const out = batch === undefined ? NO_EVENTS : this.pass(batch, this.cur.rewrite);
      if (this.doneSeen || (last && !this.brokenBy)) {
        this.finish();
        return out.blocks.length > 0 ? out : undefined;
      }
      if (out.blocks.length > 0) return out;
    }
  }

  /**
   * A read, looked at on its way (an error event cuts it there; the finish and the usage are noted):
   * handed on as it came, or for a continuation rewritten into the first stream (its id and model, one
   * role chunk).
   */
  private pass(batch: SseBatch, rewrite: { heldBack: string } | undefined): SseBatch {
    const blocks = batch.blocks;
    const rewritten: StreamEvent[] | undefined = rewrite ? [] : undefined;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i] as StreamEvent;
      if (block.data === undefined) continue;
      if (block.done) {
        this.doneSeen = true;
        rewritten?.push(block);
        break;
      }
      if (!isRecord(block.json)) continue;
      const failure = streamErrorEvent(block.json, this.cur.d.provider);
      if (failure) {
        this.brokenBy = failure;
        return { blocks: rewritten ?? blocks.slice(0, i) };
      }
      const chunk = rewrite ? rewriteContinuation(block.json, this.transcript, rewrite) : block.json;
      if (!chunk) continue;
      this.transcript.observe(chunk);
      if (typeof chunk.usage === 'object' && chunk.usage !== null) this.usage = chunk.usage as Record<string, unknown>;
      rewritten?.push(chunkEvent(chunk));
    }
    return rewritten ? { blocks: rewritten } : batch;
  }

  /** The stream ended normally: accounted for, and the connection let go. */
  private finish(): undefined {
    const { engine, route } = this;
    this.settled = true;
    engine.breakers.get(this.cur.d.key, route.settings.breaker).onSuccess();
    this.attempt(this.cur.d, 'success');
    if (this.usage) engine.emit({ type: 'usage', alias: route.alias, deployment: this.cur.d.key, usage: this.usage });
    this.usage = undefined;
    this.cur.opened.finish();
    this.abort();
    return undefined;
  }

  /** A mid-stream failure: CONTINUED when a continuation took over, undefined when the stream ended (whole, or the client left); else throws the failure. */
  private async broken(e: unknown): Promise<typeof CONTINUED | undefined> {
    const { engine, route, transcript } = this;
    this.brokenBy = undefined;
    const err = this.signal.aborted ? clientGoneError() : asGatewayError(e);
    this.cur.opened.abort(err);
    if (err.code === 'client_gone') {
      this.settled = true;
      this.attempt(this.cur.d, 'failed', err);
      this.abort();
      return undefined;
    }
    if (classifyFailure(err).unhealthy) engine.breakers.get(this.cur.d.key, route.settings.breaker).onFailure();
    // Every choice had finished: only the terminator was lost, the answer is whole.
    if (transcript.finished) return this.finish();
    this.original ??= err;
    const next = this.continuation && transcript.continuable ? await continueElsewhere(engine, route, this.signal, this.continuation, this.nextIndex, transcript) : undefined;
    this.attempt(this.cur.d, next ? 'continued' : 'failed', err);
    if (!next) {
      this.settled = true;
      this.abort();
      throw this.original;
    }
    this.cur = next.cur;
    this.nextIndex = next.index + 1;
    this.usage = undefined;
    this.pending = next.prelude;
    return CONTINUED;
  }
}

/** Several reads as one (a prelude that took more than one read): their events, no longer one read's bytes. */
function joinReads(reads: SseBatch[]): SseBatch | undefined {
  return reads.length === 0 ? undefined : { blocks: reads.flatMap((r) => r.blocks) };
}

/** Asks each later deployment with `prefill: true`, once, to continue; undefined when none would. */
async function continueElsewhere(
  engine: FailoverEngine,
  route: Route,
  signal: AbortSignal,
  c: Continuation,
  from: number,
  transcript: Transcript,
): Promise<{ cur: Current; prelude: SseBatch[]; index: number } | undefined> {
  for (let j = from; j < c.order.length; j++) {
    const d = c.order[j] as Deployment;
    if (!d.prefill || signal.aborted) continue;
    const b = engine.breakers.get(d.key, route.settings.breaker);
    if (!b.tryPass()) {
      engine.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'breaker_open' });
      continue;
    }
    const asked = continuationRequest({ ...c.body, model: d.model }, transcript.text, d.provider);
    try {
      const started = await startAttempt(c.caller, d, asked.body, route.settings, signal);
      if (started.kind !== 'stream') throw new GatewayError(502, 'upstream_invalid', 'Upstream answered a stream request without a stream');
      b.onSuccess();
      return { cur: { d, opened: started.opened, ended: started.ended, rewrite: { heldBack: asked.heldBack } }, prelude: started.prelude, index: j };
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
