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
import type { FailoverEngine, OpenAttempt, Started, StreamItem } from './engine.ts';
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
 * Relays the stream in batches: the chunks already read from the provider together (one write for the
 * caller, one step of this generator), ending normally or with exactly one error item.
 */
export async function* relayStream(ctx: RelayContext): AsyncGenerator<StreamItem[]> {
  const { engine, route } = ctx;
  // Without a later prefill deployment the stream cannot be continued: its text need not be kept.
  const transcript = new Transcript(ctx.order.slice(ctx.index + 1).some((d) => d.prefill));
  const attempt = (d: Deployment, outcome: 'success' | 'continued' | 'failed', err?: GatewayError): void =>
    engine.emit({ type: 'attempt', alias: route.alias, deployment: d.key, outcome, code: err?.code });
  let cur: Current = { d: ctx.order[ctx.index] as Deployment, started: ctx.started };
  let nextIndex = ctx.index + 1;
  let usage: Record<string, unknown> | undefined;
  let settled = false;
  let batch: StreamItem[] = [];
  const pass = (chunk: Record<string, unknown>, raw: Uint8Array): void => {
    const out = cur.rewrite ? rewriteContinuation(chunk, transcript, cur.rewrite) : chunk;
    if (!out) return;
    transcript.observe(out);
    if (out.usage !== undefined && typeof out.usage === 'object' && out.usage !== null) usage = out.usage as Record<string, unknown>;
    batch.push({ kind: 'chunk', chunk: out, raw: cur.rewrite ? encodeChunk(out) : raw });
  };
  const take = (): StreamItem[] => {
    const out = batch;
    batch = [];
    return out;
  };
  const finish = (): void => {
    settled = true;
    ctx.live.ended = true;
    engine.breakers.get(cur.d.key, route.settings.breaker).onSuccess();
    attempt(cur.d, 'success');
    if (usage) engine.emit({ type: 'usage', alias: route.alias, deployment: cur.d.key, usage });
  };
  let original: GatewayError | undefined;
  let dog: Watchdog | undefined;
  let onOuter: (() => void) | undefined;
  try {
    for (const step of cur.started.prelude) pass(step.chunk, step.raw);
    if (cur.started.ended) {
      finish();
      if (batch.length > 0) yield take();
      return;
    }
    const stall = limitMs(route.settings.stallTimeoutMs);
    const watch = (c: Current): Watchdog => new Watchdog(engine.clock, stall, () => c.started.opened.abort(stalled(c.d, route.settings.stallTimeoutMs)));
    dog = watch(cur);
    // The caller's signal ends the provider's read too (one listener for the stream's life).
    if (ctx.signal !== engine.idle) {
      onOuter = () => cur.started.opened.abort(clientGoneError());
      ctx.signal.addEventListener('abort', onOuter, { once: true });
    }
    // Bounded by the provider's stream; each continuation moves to a later deployment.
    for (;;) {
      let step;
      try {
        // What was already read goes on without a wait; before waiting, the batch goes to the caller.
        step = cur.started.opened.nextRead?.();
        if (step === undefined) {
          if (batch.length > 0) yield take();
          dog.arm();
          step = await cur.started.opened.next();
          dog.rest();
        }
        // An aborted read may end quietly rather than throw: a stall never passes for a normal end.
        if (dog.fired) throw new Error('stalled');
      } catch (e) {
        cur.started.opened.abort();
        dog.stop();
        const err = ctx.signal.aborted ? clientGoneError() : dog.fired ? stalled(cur.d, route.settings.stallTimeoutMs) : asGatewayError(e);
        if (err.code === 'client_gone') {
          settled = true;
          return attempt(cur.d, 'failed', err);
        }
        if (classifyFailure(err).unhealthy) engine.breakers.get(cur.d.key, route.settings.breaker).onFailure();
        // Every choice had finished: only the terminator was lost, the answer is whole.
        if (transcript.finished) {
          finish();
          if (batch.length > 0) yield take();
          return;
        }
        original ??= err;
        const next = transcript.continuable ? await continueElsewhere(ctx, nextIndex, transcript) : undefined;
        attempt(cur.d, next ? 'continued' : 'failed', err);
        if (!next) {
          settled = true;
          batch.push({ kind: 'error', error: original });
          yield take();
          return;
        }
        cur = next.cur;
        ctx.live.opened = cur.started.opened;
        dog = watch(cur);
        nextIndex = next.index + 1;
        usage = undefined;
        for (const p of cur.started.prelude) pass(p.chunk, p.raw);
        if (cur.started.ended) {
          finish();
          if (batch.length > 0) yield take();
          return;
        }
        continue;
      }
      if (step.done) {
        ctx.live.terminator = step.raw;
        finish();
        if (batch.length > 0) yield take();
        return;
      }
      pass(step.chunk, step.raw);
    }
  } finally {
    dog?.stop();
    if (onOuter) ctx.signal.removeEventListener('abort', onOuter);
    // The consumer stopped reading (the client left): release the provider's connection.
    if (!settled) cur.started.opened.abort();
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
