/**
 * The failover engine: runs one request over a route's deployments (picker order, breakers skipping
 * open ones), retrying and failing over per classify.ts and backoff.ts. It works on an abstract
 * attempt (OpenAttempt), so it knows nothing of HTTP; the attempt keeps a stream's deadlines. A stream
 * is handed to the caller only once a deployment produced its first content, so every failure before
 * that can still fail over; after it, relay.ts carries the stream (and continues it elsewhere when it
 * breaks).
 */
import { asGatewayError, type ErrorCode, GatewayError, MESSAGES } from '../errors.ts';
import type { ChatRequest } from '../schemas.ts';
import { planRetry } from './backoff.ts';
import { type Breaker, BreakerBoard } from './breaker.ts';
import { clientGoneError } from '../exchange/failure.ts';
import { classifyFailure, retryAfterHeader } from './classify.ts';
import { NEVER_ABORTED, type RoutingClock, systemClock } from './clock.ts';
import type { Deployment, Route, RouteSettings } from './config.ts';
import type { SseBatch } from '../exchange/exchange.ts';
import { Picker } from './picker.ts';
import { RoutedStream } from './relay.ts';
import { startAttempt } from './start.ts';

export type { Deployment } from './config.ts';

/** An attempt whose answer started: a whole JSON answer, or a stream to read a provider read at a time. */
export type OpenedAttempt =
  | { kind: 'json'; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      status: number;
      /**
       * The next read's events (parsed; malformed ones dropped), undefined at the body's end. Throws the
       * GatewayError of a cut, of the first-token deadline (until `contentArrived`) or of stall_timeout.
       */
      read(): Promise<SseBatch | undefined>;
      /** The first content came: from now on each read is bounded by stall_timeout; throws when the deadline had already ended the attempt. */
      contentArrived(): void;
      /** The stream is over for the gateway (its `[DONE]` or its end was read): the connection may go back to the pool. */
      finish(): void;
      /** Abandons the attempt; `why` is what its pending read fails with and what its summary records. */
      abort(why?: GatewayError): void;
    };

/**
 * One attempt at one deployment; throws GatewayError before the answer starts. A stream's attempt
 * keeps `limits` itself (first_token_timeout until its content came, stall_timeout on each read after).
 */
export type OpenAttempt = (d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits) => Promise<OpenedAttempt>;

/** A route's bounds on a stream, in ms (0: none). */
export type StreamLimits = Pick<RouteSettings, 'firstTokenTimeoutMs' | 'stallTimeoutMs'>;

/** What happened to one attempt (or to a deployment skipped by its breaker). */
export type AttemptOutcome = 'success' | 'retried' | 'failed_over' | 'breaker_open' | 'continued' | 'failed';

/** Accounting for metrics: attempts by alias, deployment and outcome; who served; the serving attempt's usage. */
export type RoutingEvent =
  | { type: 'attempt'; alias: string; deployment: string; outcome: AttemptOutcome; code?: ErrorCode }
  | { type: 'served'; alias: string; deployment: string }
  | { type: 'usage'; alias: string; deployment: string; usage: Record<string, unknown> };

/** The answer, and the deployment that served it (for `x-served-by` and the answer's `model`). */
export type EngineResult =
  | { kind: 'json'; servedBy: Deployment; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      servedBy: Deployment;
      status: number;
      /** The provider reads, relayed (continued elsewhere when the stream broke); `close` when the client left. */
      items: RoutedStream;
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

/** An attempt that got as far as content: the JSON answer, or the stream with the reads up to its first content. */
export type Started =
  | { kind: 'json'; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      status: number;
      opened: Extract<OpenedAttempt, { kind: 'stream' }>;
      /** The reads so far, the last one holding the first content (or the stream's end). */
      prelude: SseBatch[];
      /** The body ended within the prelude, without content. */
      ended: boolean;
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
   * Serves `body` over `route` (its `model` set to each deployment's in turn); throws the last deployment's GatewayError when every one failed. Without
   * a signal nothing is linked to one (listeners cost every request); returning or cancelling the stream still ends it.
   */
  async run(route: Route, body: ChatRequest, signal: AbortSignal = this.idle, open: OpenAttempt | undefined = this.deps.open): Promise<EngineResult> {
    if (!open) throw new Error('FailoverEngine.run: no OpenAttempt');
    const order = this.picker.order(route);
    const settings = route.settings;
    /** Every deployment is out: they are tried anyway (Envoy's panic routing) rather than refused. Worked out only once one is out. */
    let panic: boolean | undefined;
    let last: GatewayError | undefined;
    for (let i = 0; i < order.length; i++) {
      const d = order[i] as Deployment;
      const b = this.breakers.get(d.key, settings.breaker);
      if (!b.tryPass() && !(panic ??= order.every((x) => !this.breakers.get(x.key, settings.breaker).available))) {
        this.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'breaker_open' });
        continue;
      }
      // The body is the gateway's own (parsed or translated): renamed in place for each deployment rather than copied.
      body.model = d.model;
      const startedAt = this.clock.now();
      // The first attempt is awaited here, not in a retry loop: an async layer costs every request.
      let started: Started;
      try {
        started = await startAttempt(open, d, body, settings, signal);
        b.onSuccess();
      } catch (e) {
        const r = await this.afterFailure(e, startedAt, open, route, d, b, body, signal, i < order.length - 1, panic !== true);
        if (!r.ok) {
          if (r.final) throw r.error;
          last = r.error;
          continue;
        }
        started = r.started;
      }
      return this.answer(open, route, order, i, started, body, signal);
    }
    throw last ?? new GatewayError(503, 'upstream_unreachable', MESSAGES.unreachable, { reason: `every deployment of ${route.alias} is skipped by its breaker` });
  }

  /** A deployment's attempt failed: retried per classify.ts and backoff.ts until one starts, or the deployment is given up. */
  private async afterFailure(
    failure: unknown,
    firstStart: number,
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
    const starts = [firstStart];
    const attempt = (outcome: AttemptOutcome, code?: ErrorCode): void =>
      this.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome, code });
    // Bounded: planRetry says `next` once `retries` (at most 10) are used.
    for (let retriesDone = 0; ; retriesDone++) {
      const err = signal.aborted ? clientGoneError() : asGatewayError(failure);
      const c = classifyFailure(err);
      if (c.unhealthy) b.onFailure();
      else b.onNeutral();
      if (c.action === 'stop' || c.action === 'client') {
        attempt('failed', err.code);
        return { ok: false, error: err, final: true };
      }
      const breakerLets = !respectBreaker || b.state === 'closed';
      const plan =
        c.action === 'retry' && breakerLets
          ? planRetry({
              retriesDone,
              retries: s.retries,
              starts,
              now: this.clock.now(),
              retryAfter: retryAfterHeader(err),
              maxRetryAfterMs: s.maxRetryAfterMs,
              wallNow: this.clock.wallNow(),
              random: this.random,
            })
          : undefined;
      if (plan?.kind !== 'wait') {
        attempt(hasNext ? 'failed_over' : 'failed', err.code);
        return { ok: false, error: err, final: false };
      }
      attempt('retried', err.code);
      await this.clock.sleep(plan.ms, signal);
      if (signal.aborted) return { ok: false, error: clientGoneError(), final: true };
      starts.push(this.clock.now());
      try {
        const started = await startAttempt(open, d, body, s, signal);
        b.onSuccess();
        return { ok: true, started };
      } catch (e) {
        failure = e;
      }
    }
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
    const items = new RoutedStream({ engine: this, open, route, order, index, started, body, signal });
    return { kind: 'stream', servedBy: d, status: started.status, items };
  }
}
