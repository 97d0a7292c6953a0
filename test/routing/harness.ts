/**
 * Test doubles for the engine: a virtual clock that jumps to the next timer whenever everything else
 * is idle (so backoffs and timeouts take no real time and their spacing is exact), and a scripted
 * OpenAttempt that records what each deployment was asked and when.
 */
import { GatewayError, MESSAGES } from '../../src/errors.ts';
import type { Deadline, RoutingClock } from '../../src/routing/clock.ts';
import type { Deployment, Route, RouteSettings } from '../../src/routing/config.ts';
import { BUILT_IN_SETTINGS } from '../../src/routing/config.ts';
import type { OpenAttempt, OpenedAttempt, RoutingEvent, StreamItem, StreamStep } from '../../src/routing/engine.ts';
import type { ChatRequest } from '../../src/schemas.ts';

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
  errorEvent: () => new GatewayError(502, 'upstream_stream_error', 'overloaded'),
};

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

  readonly open: OpenAttempt = async (d, body, signal) => {
    const mine = this.calls.filter((c) => c.key === d.key).length;
    this.calls.push({ key: d.key, at: this.clock.now(), body });
    const list = this.scripts[d.key] ?? [{ fail: FAULT.reset() }];
    const b = typeof list === 'function' ? list(this.clock.now()) : (list[Math.min(mine, list.length - 1)] as Behaviour);
    if ('hang' in b) return this.hang(signal);
    if (b.after) await this.clock.sleep(b.after, signal);
    if (signal.aborted) throw FAULT.cut();
    if ('fail' in b) throw b.fail;
    if ('json' in b) return { kind: 'json', status: 200, json: b.json, text: JSON.stringify(b.json) };
    return this.stream(d, b.stream, signal);
  };

  private hang(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(FAULT.cut()), { once: true }));
  }

  private stream(d: Deployment, steps: StreamScriptStep[], signal: AbortSignal): OpenedAttempt {
    let i = 0;
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const next = async (): Promise<StreamStep> => {
      const s = steps[i++];
      if (!s) return { done: true };
      if ('hang' in s) return this.hang(both);
      if (s.after) await this.clock.sleep(s.after, both);
      if (both.aborted) throw FAULT.cut();
      if ('fail' in s) throw s.fail;
      return { done: false, kind: 'chunk', chunk: s.chunk, raw: new TextEncoder().encode(`data: ${JSON.stringify(s.chunk)}\n\n`) };
    };
    return {
      kind: 'stream',
      status: 200,
      next,
      // Steps with no delay count as already read, as events of one network read do.
      nextRead: () => {
        const s = steps[i];
        if (s === undefined || 'hang' in s || s.after || both.aborted) return undefined;
        i++;
        if ('fail' in s) throw s.fail;
        return { done: false, kind: 'chunk', chunk: s.chunk, raw: new TextEncoder().encode(`data: ${JSON.stringify(s.chunk)}\n\n`) };
      },
      abort: () => {
        this.aborted.push(d.key);
        stop.abort();
      },
    };
  }
}

/** A deployment row. */
export function dep(provider: string, model: string, extra: Partial<Deployment> = {}): Deployment {
  return { provider, model, weight: 1, prefill: false, key: `${provider}/${model}`, ...extra };
}

/** A route over deployments with settings over the built-in ones. */
export function route(deployments: Deployment[], settings: Partial<RouteSettings> = {}, strategy: Route['strategy'] = 'fallback'): Route {
  return { alias: 'smart', strategy, deployments, settings: { ...BUILT_IN_SETTINGS, ...settings } };
}

/** Reads a stream result to its end. */
export async function collect(items: AsyncIterable<StreamItem[]>): Promise<StreamItem[]> {
  const out: StreamItem[] = [];
  for await (const batch of items) out.push(...batch);
  return out;
}

/** The text of the chunks relayed. */
export function textOf(items: StreamItem[]): string {
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
