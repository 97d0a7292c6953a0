/**
 * One attempt up to the point where failing over is no longer free: a JSON answer read whole, or a
 * stream read up to its first content (text, reasoning, a tool-call delta or a finish) within
 * first_token_timeout. What came before that content is held back, so the client never sees it.
 */
import { GatewayError, MESSAGES } from '../errors.ts';
import type { ChatRequest } from '../schemas.ts';
import { limitMs, type RoutingClock } from './clock.ts';
import type { Deployment, RouteSettings } from './config.ts';
import type { ChunkStep, OpenAttempt, OpenedAttempt, Started } from './engine.ts';
import { hasContent } from './prefill.ts';

/** Chunks before the first content (role chunks, keep-alive deltas) that a provider may send; past this it is broken. */
const MAX_PRELUDE = 1_000;

const LATE: unique symbol = Symbol('late');

/**
 * One attempt, up to its first content (streams) or its whole answer (JSON). The caller's signal is
 * the attempt's own. On the first-token deadline the engine stops waiting: an attempt still opening
 * is abandoned (and aborted if it opens after all), one that opened is aborted, so its read fails.
 * No AbortController or listener of its own: each costs CPU on every request.
 */
export function startAttempt(clock: RoutingClock, open: OpenAttempt, d: Deployment, body: ChatRequest, s: RouteSettings, signal: AbortSignal): Promise<Started> {
  // A JSON answer is whole when it opens: the attempt's own promise, with no async layer around it (each costs every request).
  if (body.stream !== true) return open(d, body, signal) as Promise<Extract<OpenedAttempt, { kind: 'json' }>>;
  const limit = limitMs(s.firstTokenTimeoutMs);
  if (!Number.isFinite(limit)) return open(d, body, signal).then((opened) => (opened.kind === 'json' ? opened : prelude(d, opened, () => false)));
  return startTimed(clock, open, d, body, s, signal, limit);
}

/** A stream's attempt under first_token_timeout (`limit` ms). */
async function startTimed(clock: RoutingClock, open: OpenAttempt, d: Deployment, body: ChatRequest, s: RouteSettings, signal: AbortSignal, limit: number): Promise<Started> {
  const lateError = (): GatewayError =>
    new GatewayError(504, 'upstream_timeout_first_token', MESSAGES.timeout, { reason: `${d.key}: no first content within first_token_timeout (${s.firstTokenTimeoutMs}ms)` });
  let late = false;
  let opened: OpenedAttempt | undefined;
  let wake: (v: typeof LATE) => void = () => undefined;
  const timedOut = new Promise<typeof LATE>((resolve) => (wake = resolve));
  const deadline = clock.deadline(() => {
    late = true;
    wake(LATE);
    if (opened?.kind === 'stream') opened.abort(lateError());
  });
  deadline.set(limit);
  try {
    const pending = open(d, body, signal);
    const first = await Promise.race([pending, timedOut]);
    if (first === LATE) {
      void pending.then((o) => (o.kind === 'stream' ? o.abort(lateError()) : undefined), () => undefined);
      throw lateError();
    }
    opened = first;
    if (opened.kind === 'json') return opened;
    return await prelude(d, opened, () => late);
  } catch (e) {
    if (opened?.kind === 'stream') opened.abort();
    throw late ? lateError() : e;
  } finally {
    deadline.clear();
  }
}

/** Reads a stream up to its first content; `late()` says the first-token deadline passed. */
async function prelude(d: Deployment, opened: Extract<OpenedAttempt, { kind: 'stream' }>, late: () => boolean): Promise<Started> {
  const status = opened.status;
  try {
    let step = await opened.next();
    // Made once the first read is in, not before the wait: see `nextRead` in attempt.ts.
    const prelude: ChunkStep[] = [];
    // Steps taken without a wait come from the same read: that read may still go out as it came.
    let oneRead = opened.wholeRead !== undefined;
    while (prelude.length < MAX_PRELUDE) {
      // An attempt that answered despite the abort is still too late.
      if (late()) throw new Error('late');
      if (step.done) return { kind: 'stream', status, opened, prelude, ended: true, oneRead, terminator: step.raw };
      prelude.push(step);
      if (hasContent(step.chunk)) return { kind: 'stream', status, opened, prelude, ended: false, oneRead };
      const ready = opened.nextRead?.();
      if (ready) step = ready;
      else {
        oneRead = false;
        step = await opened.next();
      }
    }
    throw new GatewayError(502, 'upstream_invalid', 'Upstream stream sent no content', { reason: `${d.key}: ${MAX_PRELUDE} chunks without content` });
  } catch (e) {
    opened.abort();
    throw e;
  }
}
