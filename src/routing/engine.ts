/**
 * The failover engine: runs one request over a route's deployments (picker order, breakers skipping
 * open ones), retrying and failing over per classify.ts and backoff.ts. It works on an abstract
 * attempt (OpenAttempt), so it knows nothing of HTTP. A stream is handed to the caller only once a
 * deployment produced its first content, so every failure before that can still fail over; after it,
 * relay.ts carries the stream (and continues it elsewhere when it breaks).
 */
import { asGatewayError, type ErrorCode, GatewayError, MESSAGES } from '../errors.ts';
import type { ChatRequest } from '../schemas.ts';
import { planRetry } from './backoff.ts';
import { type Breaker, BreakerBoard } from './breaker.ts';
import { clientGoneError } from '../exchange/failure.ts';
import { classifyFailure, retryAfterHeader } from './classify.ts';
import { NEVER_ABORTED, type RoutingClock, systemClock } from './clock.ts';
import type { Deployment, Route, RouteSettings } from './config.ts';
import { Picker } from './picker.ts';
import { type RelayContext, RoutedStream } from './relay.ts';
import { startAttempt } from './start.ts';

export type { Deployment } from './config.ts';

/** A parsed chunk with its raw SSE bytes (what the client gets unless the chunk was rewritten). */
export type ChunkStep = { done: false; kind: 'chunk'; chunk: Record<string, unknown>; raw: Uint8Array };

/** One step of a stream: the next parsed chunk, or its normal end. */
export type StreamStep = { done: true; /** The provider's own terminator bytes (`data: [DONE]`), when it sent one. */ raw?: Uint8Array } | ChunkStep;

/** An attempt whose answer started: a whole JSON answer, or a stream to read chunk by chunk. */
export type OpenedAttempt =
  | { kind: 'json'; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      status: number;
      /** Next parsed chunk with its raw SSE bytes; throws GatewayError on cut / stall / error event. */
      next(): Promise<StreamStep>;
      /** Abandons the attempt; `why` is what its pending read fails with and what its summary records. */
      abort(why?: GatewayError): void;
      /** The next step if it was already read (no waiting, no promise), else undefined; lets the caller batch a read's chunks. */
      nextRead?(): StreamStep | undefined;
      /**
       * Once the steps of the last read are all taken: that read's bytes, when they are exactly those chunk
       * steps, and its `[DONE]` when that step ended the stream (else undefined).
       */
      wholeRead?(): Uint8Array | undefined;
    };

/** One attempt at one deployment; throws GatewayError before the answer starts. */
export type OpenAttempt = (d: Deployment, body: ChatRequest, signal: AbortSignal) => Promise<OpenedAttempt>;

/** What happened to one attempt (or to a deployment skipped by its breaker). */
export type AttemptOutcome = 'success' | 'retried' | 'failed_over' | 'breaker_open' | 'continued' | 'failed';

/** Accounting for metrics: attempts by alias, deployment and outcome; who served; the serving attempt's usage. */
export type RoutingEvent =
  | { type: 'attempt'; alias: string; deployment: string; outcome: AttemptOutcome; code?: ErrorCode }
  | { type: 'served'; alias: string; deployment: string }
  | { type: 'usage'; alias: string; deployment: string; usage: Record<string, unknown> };

/** What the caller relays: a chunk (raw bytes, unchanged unless rewritten), or the one error that ends a broken stream (always last). */
export type StreamItem = ChunkStep | { kind: 'error'; error: GatewayError };

/** The answer, and the deployment that served it (for `x-served-by` and the answer's `model`). */
export type EngineResult =
  | { kind: 'json'; servedBy: Deployment; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      servedBy: Deployment;
      status: number;
      /** Batches of items: the chunks already read from the provider together, so the caller writes them at once. */
      items: RoutedStream;
      /** The client left: ends the provider's read now (returning the iterator alone waits for the read in progress). */
      cancel(): void;
      /** True once the batch handed over last was the stream's end (its terminator can go in the same write). */
      ended(): boolean;
      /** The provider's own `[DONE]` bytes once it ended with one (so the write can stay the provider's bytes). */
      terminator(): Uint8Array | undefined;
    };

/** What the engine is built from; clock, randomness, picker and breakers are injectable for tests. */
export interface EngineDeps {
  /** The attempt, unless each request brings its own to `run`. */
  open?: OpenAttempt;
  clock?: RoutingClock;
  random?: () => number;
  onEvent?: (e: RoutingEvent) => void;
  picker?: Picker;
  breakers?: BreakerBoard;
}

/** An attempt that got as far as content: the JSON answer, or the stream with the chunks read so far. */
export type Started =
  | { kind: 'json'; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      status: number;
      opened: Extract<OpenedAttempt, { kind: 'stream' }>;
      prelude: ChunkStep[];
      ended: boolean;
      /** Every prelude step came from the attempt's current read (so that read's bytes may still go out whole). */
      oneRead: boolean;
      /** The provider's own `[DONE]`, when the stream ended on it within the prelude. */
      terminator?: Uint8Array;
    };

/** Runs requests over routes; one per app (it holds the breakers and the round-robin cursors). */
export class FailoverEngine {
  readonly clock: RoutingClock;
  readonly random: () => number;
  readonly picker: Picker;
  readonly breakers: BreakerBoard;
  /** Stands in for a caller that brings no signal: never aborted, so nothing is linked to it. */
  readonly idle: AbortSignal = NEVER_ABORTED;

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock ?? systemClock();
    this.random = deps.random ?? Math.random;
    this.picker = deps.picker ?? new Picker(this.random);
    this.breakers = deps.breakers ?? new BreakerBoard(() => this.clock.now());
  }

  /** Reports one accounting event. */
  emit(e: RoutingEvent): void {
    this.deps.onEvent?.(e);
  }

  /**
   * Serves `body` over `route`; throws the last deployment's GatewayError when every one failed. Without
   * a signal nothing is linked to one (listeners cost every request); returning or cancelling the stream still ends it.
   */
  async run(route: Route, body: ChatRequest, signal: AbortSignal = this.idle, open: OpenAttempt | undefined = this.deps.open): Promise<EngineResult> {
    if (!open) throw new Error('FailoverEngine.run: no OpenAttempt');
    const order = this.picker.order(route);
    const breakers = order.map((d) => this.breakers.get(d.key, route.settings.breaker));
    // Every deployment out: try them anyway (Envoy's panic routing) rather than refuse outright.
    const panic = breakers.every((b) => !b.available);
    let last: GatewayError | undefined;
    for (let i = 0; i < order.length; i++) {
      const d = order[i] as Deployment;
      const b = breakers[i] as Breaker;
      if (!panic && !b.tryPass()) {
        this.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'breaker_open' });
        continue;
      }
      // A plain provider/model request already names the deployment's model: no copy for it.
      const asked = body.model === d.model ? body : { ...body, model: d.model };
      const r = await this.tryDeployment(open, route, d, b, asked, signal, i < order.length - 1, !panic);
      if (r.ok) return this.answer(open, route, order, i, r.started, body, signal);
      if (r.final) throw r.error;
      last = r.error;
    }
    throw last ?? new GatewayError(503, 'upstream_unreachable', MESSAGES.unreachable, { reason: `every deployment of ${route.alias} is skipped by its breaker` });
  }

  private async tryDeployment(
    open: OpenAttempt,
    route: Route,
    d: Deployment,
    b: Breaker,
    body: ChatRequest,
    signal: AbortSignal,
    hasNext: boolean,
    respectBreaker: boolean,
  ): Promise<{ ok: true; started: Started } | { ok: false; error: GatewayError; final: boolean }> {
    const s = route.settings;
    const starts: number[] = [];
    const attempt = (outcome: AttemptOutcome, code?: ErrorCode): void =>
      this.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome, code });
    // Bounded: planRetry says `next` once `retries` (at most 10) are used.
    for (let retriesDone = 0; ; retriesDone++) {
      starts.push(this.clock.now());
      try {
        const started = await this.startAttempt(open, d, body, s, signal);
        b.onSuccess();
        return { ok: true, started };
      } catch (e) {
        const err = signal.aborted ? clientGoneError() : asGatewayError(e);
        const c = classifyFailure(err);
        if (c.unhealthy) b.onFailure();
        else b.onNeutral();
        if (c.action === 'stop' || c.action === 'client') {
          attempt('failed', err.code);
          return { ok: false, error: err, final: true };
        }
        const breakerLets = !respectBreaker || b.state === 'closed';
        if (c.action === 'retry' && breakerLets) {
          const plan = planRetry({
            retriesDone,
            retries: s.retries,
            starts,
            now: this.clock.now(),
            retryAfter: retryAfterHeader(err),
            maxRetryAfterMs: s.maxRetryAfterMs,
            wallNow: this.clock.wallNow(),
            random: this.random,
          });
          if (plan.kind === 'wait') {
            attempt('retried', err.code);
            await this.clock.sleep(plan.ms, signal);
            if (signal.aborted) return { ok: false, error: clientGoneError(), final: true };
            continue;
          }
        }
        attempt(hasNext ? 'failed_over' : 'failed', err.code);
        return { ok: false, error: err, final: false };
      }
    }
  }

  /** One attempt, up to its first content (streams) or its whole answer (JSON); see start.ts. */
  startAttempt(open: OpenAttempt, d: Deployment, body: ChatRequest, s: RouteSettings, signal: AbortSignal): Promise<Started> {
    return startAttempt(this.clock, open, d, body, s, signal);
  }

  private answer(open: OpenAttempt, route: Route, order: Deployment[], index: number, started: Started, body: ChatRequest, signal: AbortSignal): EngineResult {
    const d = order[index] as Deployment;
    // Events are built only when someone listens (each is an allocation per request).
    const listening = this.deps.onEvent !== undefined;
    if (listening) this.emit({ type: 'served', alias: route.alias, deployment: d.key });
    if (started.kind === 'json') {
      if (listening) {
        this.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'success' });
        const usage = (started.json as { usage?: unknown } | null)?.usage;
        if (typeof usage === 'object' && usage !== null) this.emit({ type: 'usage', alias: route.alias, deployment: d.key, usage: usage as Record<string, unknown> });
      }
      return { kind: 'json', servedBy: d, status: started.status, json: started.json, text: started.text };
    }
    const live: RelayContext['live'] = { opened: started.opened, ended: false };
    const items = new RoutedStream({ engine: this, open, route, order, index, started, body, signal, live });
    return {
      kind: 'stream',
      servedBy: d,
      status: started.status,
      items,
      cancel: () => live.opened.abort(clientGoneError()),
      ended: () => live.ended,
      terminator: () => live.terminator,
    };
  }
}
