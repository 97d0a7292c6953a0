/**
 * Test doubles for the engine: a virtual clock that jumps to the next timer whenever everything else
 * is idle (so backoffs and timeouts take no real time and their spacing is exact), and a scripted
 * OpenAttempt that records what each deployment was asked and when.
 */
import { asGatewayError, GatewayError, MESSAGES } from '../../src/errors.ts';
import type { SseBatch, StreamEvent } from '../../src/exchange/exchange.ts';
import { parseBlock } from '../../src/exchange/sse-parser.ts';
import type { RoutingClock } from '../../src/routing/clock.ts';
import type { Deployment, Route, RouteSettings } from '../../src/routing/config.ts';
import { BUILT_IN_SETTINGS } from '../../src/routing/config.ts';
import type { OpenAttempt, OpenedAttempt, StreamLimits } from '../../src/routing/contract.ts';
import type { RoutingEvent } from '../../src/routing/engine.ts';
import type { RoutedStream } from '../../src/routing/relay.ts';
import type { ChatRequest } from '../../src/schemas.ts';

/** A timer that can be moved or dropped. */
export interface Deadline {
  set(ms: number): void;
  clear(): void;
}

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
}

/** Virtual time: `run` settles a promise, advancing to the next timer each time nothing else can move. */
export class VirtualClock implements RoutingClock {
  t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  wallNow(): number {
    return Date.UTC(2026, 0, 1) + this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { due: this.t + Math.max(0, ms), seq: this.seq++, fire: resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  deadline(onFire: () => void): Deadline {
    let timer: Timer | undefined;
    const clear = (): void => {
      this.timers = this.timers.filter((x) => x !== timer);
      timer = undefined;
    };
    return {
      set: (ms) => {
        clear();
        timer = { due: this.t + Math.max(0, ms), seq: this.seq++, fire: onFire };
        this.timers.push(timer);
      },
      clear,
    };
  }

  /** Settles `p` on virtual time; throws when nothing is pending and `p` is still open (a hang). */
  async run<T>(p: Promise<T>, maxSteps = 10_000): Promise<T> {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    for (let i = 0; i < maxSteps; i++) {
      await new Promise((r) => setImmediate(r));
      if (done) return p;
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error(`hang at t=${this.t}: nothing pending`);
      this.t = Math.max(this.t, next.due);
      next.fire();
    }
    throw new Error('too many steps');
  }
}

/** A chunk as providers stream them. */
export function chunk(content: string | undefined, extra: { role?: string; finish?: string; id?: string; model?: string; toolCall?: boolean; usage?: Record<string, number> } = {}): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  if (extra.role) delta.role = extra.role;
  if (content !== undefined) delta.content = content;
  if (extra.toolCall) delta.tool_calls = [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":' } }];
  const out: Record<string, unknown> = {
    id: extra.id ?? 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: extra.model ?? 'm',
    choices: [{ index: 0, delta, finish_reason: extra.finish ?? null }],
  };
  if (extra.usage) out.usage = extra.usage;
  return out;
}

/** The provider answered an error status. */
export function upstream(status: number, opts: { retryAfter?: string; code?: string; message?: string } = {}): GatewayError {
  return new GatewayError(status, 'upstream_error', opts.message ?? `HTTP ${status}`, {
    upstreamStatus: status,
    upstreamCode: opts.code,
    headers: opts.retryAfter === undefined ? {} : { 'retry-after': opts.retryAfter },
  });
}

/** Named faults as the exchange reports them. */
export const FAULT = {
  reset: () => new GatewayError(502, 'upstream_unreachable', MESSAGES.unreachable, { reason: 'ECONNRESET' }),
  headerTimeout: () => new GatewayError(504, 'upstream_timeout_headers', MESSAGES.timeout),
  cut: () => new GatewayError(502, 'upstream_stream_cut', 'Upstream connection lost during the stream'),
  firstToken: () => new GatewayError(504, 'upstream_timeout_first_token', MESSAGES.timeout),
  stall: () => new GatewayError(502, 'upstream_timeout_stream', 'Upstream stream timed out'),
};

/** A provider's error event where a chunk should be (the relay turns it into a failure). */
export const ERROR_EVENT = { error: { message: 'overloaded', type: 'overloaded_error' } };

/** One chunk as the exchange hands it over: an event with its JSON parsed. */
export function eventOf(json: Record<string, unknown>): StreamEvent {
  const block = parseBlock(`data: ${JSON.stringify(json)}\n\n`) as StreamEvent;
  block.json = json;
  return block;
}

/** One step of a scripted stream. */
export type StreamScriptStep = { chunk: Record<string, unknown>; after?: number } | { fail: GatewayError; after?: number } | { hang: true };

/** What one call to a deployment does. */
export type Behaviour =
  | { fail: GatewayError; after?: number }
  | { hang: true }
  | { json: Record<string, unknown>; after?: number }
  | { stream: StreamScriptStep[]; after?: number };

/** One recorded call. */
export interface Call {
  key: string;
  at: number;
  body: ChatRequest;
}

/** An OpenAttempt from a function that opens one: its outcome handed on as the engine's attempts hand theirs. */
export function attemptFrom(open: (d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits) => Promise<OpenedAttempt>): OpenAttempt {
  return async (d, body, signal, limits, then) => {
    let opened: OpenedAttempt;
    try {
      opened = await open(d, body, signal, limits);
    } catch (e) {
      return then.failed(e);
    }
    return then.opened(opened);
  };
}

/** A scripted OpenAttempt: each deployment plays its behaviours in turn (the last one repeats), or one chosen by the time. */
export class FakeProviders {
  readonly calls: Call[] = [];
  readonly aborted: string[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly scripts: Record<string, Behaviour[] | ((t: number) => Behaviour)>,
  ) {}

  /** Calls made to one deployment, with their times. */
  times(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.at);
  }

  /**
   * The attempt: keeps the route's stream limits as the exchange does (first_token_timeout from the
   * call until `contentArrived`, then stall_timeout on each read), on virtual time.
   */
  readonly open: OpenAttempt = attemptFrom((d, body, signal, limits) => this.play(d, body, signal, limits));

  private async play(d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits): Promise<OpenedAttempt> {
    const mine = this.calls.filter((c) => c.key === d.key).length;
    // As the exchange does, what was asked is taken at the call (the engine renames the body in place).
    this.calls.push({ key: d.key, at: this.clock.now(), body: { ...body } });
    const list = this.scripts[d.key] ?? [{ fail: FAULT.reset() }];
    const b = typeof list === 'function' ? list(this.clock.now()) : (list[Math.min(mine, list.length - 1)] as Behaviour);
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const first = body.stream === true && limits.firstTokenTimeoutMs > 0 ? this.clock.deadline(() => stop.abort(FAULT.firstToken())) : undefined;
    first?.set(limits.firstTokenTimeoutMs);
    try {
      if ('hang' in b) await this.hang(both);
      else if (b.after) await this.clock.sleep(b.after, both);
      if (both.aborted) throw failureOf(stop.signal);
      if ('fail' in b) throw b.fail;
      if ('json' in b) return { kind: 'json', status: 200, json: b.json, text: JSON.stringify(b.json) };
      if ('stream' in b) return this.stream(d, b.stream, both, stop, first, limits);
      throw new Error('unreachable');
    } catch (e) {
      first?.clear();
      throw e;
    }
  }

  private hang(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(failureOf(signal)), { once: true }));
  }

  private stream(d: Deployment, steps: StreamScriptStep[], both: AbortSignal, stop: AbortController, first: Deadline | undefined, limits: StreamLimits): OpenedAttempt {
    let i = 0;
    let started = false;
    const read = async (): Promise<SseBatch | undefined> => {
      const stall = started && limits.stallTimeoutMs > 0 ? this.clock.deadline(() => stop.abort(FAULT.stall())) : undefined;
      stall?.set(limits.stallTimeoutMs);
      try {
        const blocks: StreamEvent[] = [];
        for (;;) {
          const s = steps[i];
          if (s === undefined) return blocks.length > 0 ? { blocks } : undefined;
          // A wait or a failure starts a read of its own: what came before it is this read.
          if (blocks.length > 0 && ('hang' in s || 'fail' in s || s.after)) return { blocks };
          if ('hang' in s) await this.hang(both);
          else if (s.after) await this.clock.sleep(s.after, both);
          if (both.aborted) throw failureOf(stop.signal);
          i++;
          if ('fail' in s) throw s.fail;
          if ('chunk' in s) blocks.push(eventOf(s.chunk));
        }
      } finally {
        stall?.clear();
      }
    };
    return {
      kind: 'stream',
      status: 200,
      read,
      contentArrived: () => {
        if (stop.signal.aborted) throw failureOf(stop.signal);
        first?.clear();
        started = true;
      },
      finish: () => first?.clear(),
      abort: (why) => {
        first?.clear();
        this.aborted.push(d.key);
        stop.abort(why);
      },
    };
  }
}

/** Why a fake attempt was stopped: its own deadline's error, else a cut connection. */
function failureOf(stopped: AbortSignal): GatewayError {
  return stopped.reason instanceof GatewayError ? stopped.reason : FAULT.cut();
}

/** A deployment row. */
export function dep(provider: string, model: string, extra: Partial<Deployment> = {}): Deployment {
  return { provider, model, weight: 1, prefill: false, key: `${provider}/${model}`, ...extra };
}

/** A route over deployments with settings over the built-in ones. */
export function route(deployments: Deployment[], settings: Partial<RouteSettings> = {}, strategy: Route['strategy'] = 'fallback'): Route {
  return { alias: 'smart', strategy, deployments, settings: { ...BUILT_IN_SETTINGS, ...settings } };
}

/** What a client of the routed stream got: each chunk (with the bytes that went out for it), or the failure that ended it. */
export type Item = { kind: 'chunk'; chunk: Record<string, unknown>; raw: Uint8Array } | { kind: 'error'; error: GatewayError };

/** The chunks of one read. */
export function itemsOf(batch: SseBatch): Item[] {
  const out: Item[] = [];
  for (const block of batch.blocks as StreamEvent[]) {
    if (block.data !== undefined && !block.done && typeof block.json === 'object' && block.json !== null) out.push({ kind: 'chunk', chunk: block.json as Record<string, unknown>, raw: block.raw });
  }
  return out;
}

/** A routed stream's reads, one by one, to its end. */
export async function* readsOf(stream: RoutedStream): AsyncGenerator<SseBatch> {
  for (let batch = await stream.nextBatch(); batch; batch = await stream.nextBatch()) yield batch;
}

/** Reads a routed stream to its end: its chunks, then its failure if it failed. */
export async function collect(stream: RoutedStream): Promise<Item[]> {
  const out: Item[] = [];
  try {
    for (let batch = await stream.nextBatch(); batch; batch = await stream.nextBatch()) out.push(...itemsOf(batch));
  } catch (e) {
    out.push({ kind: 'error', error: asGatewayError(e) });
  }
  return out;
}

/** The text of the chunks relayed. */
export function textOf(items: Item[]): string {
  let s = '';
  for (const it of items) {
    if (it.kind !== 'chunk') continue;
    const c = (it.chunk.choices as Array<{ delta?: { content?: string } }> | undefined)?.[0];
    s += c?.delta?.content ?? '';
  }
  return s;
}

/** The attempt events, as `deployment:outcome`. */
export function outcomes(events: RoutingEvent[]): string[] {
  return events.filter((e) => e.type === 'attempt').map((e) => `${e.deployment}:${e.type === 'attempt' ? e.outcome : ''}`);
}

/** A chat request. */
export function chat(stream: boolean): ChatRequest {
  return { model: 'smart', messages: [{ role: 'user', content: 'hi' }], stream };
}
