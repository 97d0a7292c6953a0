/**
 * The failover engine: runs one request over a route's deployments (picker order, breakers skipping
 * open ones), retrying and failing over per classify.ts and backoff.ts. It works on an abstract
 * attempt (contract.ts), so it knows nothing of HTTP; the attempt keeps a stream's deadlines. A stream
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
import type { Deployment, Route } from './config.ts';
import type { EngineResult, OpenAttempt, OpenedAttempt, RunCaller, Started } from './contract.ts';
import { Picker } from './picker.ts';
import { RoutedStream } from './relay.ts';
import { startAttempt, startedFrom, type StartSequel } from './start.ts';

export type { Deployment } from './config.ts';

/** What happened to one attempt (or to a deployment skipped by its breaker). */
export type AttemptOutcome = 'success' | 'retried' | 'failed_over' | 'breaker_open' | 'continued' | 'failed';

/** Accounting for metrics: attempts by alias, deployment and outcome; who served; the serving attempt's usage. */
export type RoutingEvent =
  | { type: 'attempt'; alias: string; deployment: string; outcome: AttemptOutcome; code?: ErrorCode }
  | { type: 'served'; alias: string; deployment: string }
  | { type: 'usage'; alias: string; deployment: string; usage: Record<string, unknown> };

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

/** Runs requests over routes; one per app (it holds the breakers and the round-robin cursors). */
export class FailoverEngine {
  readonly clock: RoutingClock;
  readonly random: () => number;
  readonly picker: Picker;
  readonly breakers: BreakerBoard;
  /** Stands in for a caller that brings no signal: never aborted, so nothing is linked to it. */
  readonly idle: AbortSignal = NEVER_ABORTED;
  /** The caller of runs that bring none: the deps' attempt, and the answer as it is. */
  private readonly plainCaller: RunCaller<EngineResult> | undefined;

  constructor(private readonly deps: EngineDeps) {
    this.clock = deps.clock ?? systemClock();
    this.random = deps.random ?? Math.random;
    this.picker = deps.picker ?? new Picker(this.random);
    this.breakers = deps.breakers ?? new BreakerBoard(() => this.clock.now());
    const open = deps.open;
    this.plainCaller = open ? { open, finish: (result) => result } : undefined;
  }

  /** Reports one accounting event. */
  emit(e: RoutingEvent): void {
    this.deps.onEvent?.(e);
  }

  /**
   * Serves `body` over `route` (its `model` set to each deployment's in turn); the caller makes what
   * it wants of the answer. Throws the last deployment's GatewayError when every one failed. Without
   * a signal nothing is linked to one (listeners cost every request); returning or cancelling the
   * stream still ends it.
   */
  run(route: Route, body: ChatRequest, signal?: AbortSignal): Promise<EngineResult>;
  run<R>(route: Route, body: ChatRequest, signal: AbortSignal | undefined, caller: RunCaller<R>): Promise<R>;
  run<R>(route: Route, body: ChatRequest, signal: AbortSignal = this.idle, caller: RunCaller<R> | undefined = this.plainCaller as RunCaller<R> | undefined): Promise<R> {
    if (!caller) return Promise.reject(new Error('FailoverEngine.run: no OpenAttempt'));
    const order = this.picker.order(route);
    const d = order[0];
    const b = d && this.breakers.get(d.key, route.settings.breaker);
    if (!d || !b?.tryPass()) return this.failover(caller, route, order, body, signal);
    // The first attempt is made here, outside the failover loop, and what follows it is handed to the
    // attempt: a healthy request waits on the provider through the attempt alone.
    body.model = d.model;
    return caller.open(d, body, signal, route.settings, new FirstAttempt(this, caller, route, order, body, signal, b, this.clock.now()));
  }

  /**
   * @internal The rest of `run`: the deployments in order, from the first. `first` is the failure of
   * the first deployment's attempt when `run` made it (it passed its breaker); without it the first is
   * tried here like the others.
   */
  async failover<R>(caller: RunCaller<R>, route: Route, order: Deployment[], body: ChatRequest, signal: AbortSignal, first?: { failure: unknown; startedAt: number }): Promise<R> {
    const settings = route.settings;
    /** Every deployment is out: they are tried anyway (Envoy's panic routing) rather than refused. Worked out only once one is out. */
    let panic: boolean | undefined;
    let last: GatewayError | undefined;
    for (let i = 0; i < order.length; i++) {
      const d = order[i] as Deployment;
      const b = this.breakers.get(d.key, settings.breaker);
      let started: Started | undefined;
      let failure: unknown;
      let startedAt: number;
      if (i === 0 && first) ({ failure, startedAt } = first);
      else {
        if (!b.tryPass() && !(panic ??= order.every((x) => !this.breakers.get(x.key, settings.breaker).available))) {
          this.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome: 'breaker_open' });
          continue;
        }
        // The body is the gateway's own (parsed or translated): renamed in place for each deployment rather than copied.
        body.model = d.model;
        startedAt = this.clock.now();
        try {
          started = await startAttempt(caller, d, body, settings, signal);
          b.onSuccess();
        } catch (e) {
          failure = e;
        }
      }
      if (!started) {
        const r = await this.afterFailure(failure, startedAt, caller, route, d, b, body, signal, i < order.length - 1, panic !== true);
        if (!r.ok) {
          if (r.final) throw r.error;
          last = r.error;
          continue;
        }
        started = r.started;
      }
      return this.answer(caller, route, order, i, started, body, signal);
    }
    throw last ?? new GatewayError(503, 'upstream_unreachable', MESSAGES.unreachable, { reason: `every deployment of ${route.alias} is skipped by its breaker` });
  }

  /** A deployment's attempt failed: retried per classify.ts and backoff.ts until one starts, or the deployment is given up. */
  private async afterFailure(
    failure: unknown,
    firstStart: number,
    caller: RunCaller<unknown>,
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
        const started = await startAttempt(caller, d, body, s, signal);
        b.onSuccess();
        return { ok: true, started };
      } catch (e) {
        failure = e;
      }
    }
  }

  /** @internal The answer of the attempt at `order[index]` that started, accounted for and made into what the caller wants. */
  answer<R>(caller: RunCaller<R>, route: Route, order: Deployment[], index: number, started: Started, body: ChatRequest, signal: AbortSignal): R {
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
      return caller.finish({ kind: 'json', servedBy: d, status: started.status, json: started.json, text: started.text });
    }
    const items = new RoutedStream({ engine: this, caller, route, order, index, started, body, signal });
    return caller.finish({ kind: 'stream', servedBy: d, status: started.status, items });
  }
}

/**
 * What follows `run`'s first attempt, handed to it: the answer, or the failover from there. One
 * object, where a closure, a frame and a promise per step waited before.
 */
class FirstAttempt<R> implements StartSequel<R> {
  constructor(
    private readonly engine: FailoverEngine,
    private readonly caller: RunCaller<R>,
    private readonly route: Route,
    private readonly order: Deployment[],
    private readonly body: ChatRequest,
    private readonly signal: AbortSignal,
    private readonly breaker: Breaker,
    private readonly startedAt: number,
  ) {}

  opened(opened: OpenedAttempt): R | Promise<R> {
    return startedFrom(this.order[0] as Deployment, opened, this);
  }

  started(started: Started): R {
    this.breaker.onSuccess();
    return this.engine.answer(this.caller, this.route, this.order, 0, started, this.body, this.signal);
  }

  failed(failure: unknown): Promise<R> {
    return this.engine.failover(this.caller, this.route, this.order, this.body, this.signal, { failure, startedAt: this.startedAt });
  }
}
