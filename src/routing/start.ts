/**
 * One attempt up to the point where failing over is no longer free: a JSON answer read whole, or a
 * stream read up to its first content (text, reasoning, a tool-call delta or a finish) within
 * first_token_timeout. What came before that content is held back, so the client never sees it.
 */
import { GatewayError, MESSAGES } from '../errors.ts';
import type { ChatRequest } from '../schemas.ts';
import { limitMs, type RoutingClock } from './clock.ts';
import type { Deployment, RouteSettings } from './config.ts';
import type { OpenAttempt, OpenedAttempt, Started, StreamStep } from './engine.ts';
import { hasContent } from './prefill.ts';

/** Chunks before the first content (role chunks, keep-alive deltas) that a provider may send; past this it is broken. */
const MAX_PRELUDE = 1_000;

/**
 * One attempt, up to its first content (streams) or its whole answer (JSON). The attempt must reject
 * once its signal aborts: that is how the first-token deadline and a client who left end it.
 */
export async function startAttempt(
  clock: RoutingClock,
  open: OpenAttempt,
  d: Deployment,
  body: ChatRequest,
  s: RouteSettings,
  signal: AbortSignal,
  /** False when the caller's signal can never abort: nothing to link. */
  link: boolean,
): Promise<Started> {
  const limit = body.stream === true ? limitMs(s.firstTokenTimeoutMs) : Number.POSITIVE_INFINITY;
  // Most JSON attempts need nothing of their own: no deadline, nothing to link (each costs CPU per request).
  if (!Number.isFinite(limit)) {
    const opened = await open(d, body, signal);
    return opened.kind === 'json' ? opened : prelude(d, opened, () => false);
  }
  const mine = new AbortController();
  let late = false;
  const deadline = clock.deadline(() => {
    late = true;
    mine.abort();
  });
  const onOuter = (): void => mine.abort();
  if (link) signal.addEventListener('abort', onOuter, { once: true });
  deadline.set(limit);
  const lateError = (): GatewayError =>
    new GatewayError(504, 'upstream_timeout_first_token', MESSAGES.timeout, { reason: `${d.key}: no first content within first_token_timeout (${s.firstTokenTimeoutMs}ms)` });
  let opened: OpenedAttempt | undefined;
  try {
    opened = await open(d, body, mine.signal);
    if (opened.kind === 'json') return opened;
    return await prelude(d, opened, () => late);
  } catch (e) {
    if (opened?.kind === 'stream') opened.abort();
    throw late ? lateError() : e;
  } finally {
    deadline.clear();
    if (link) signal.removeEventListener('abort', onOuter);
  }
}

/** Reads a stream up to its first content; `late()` says the first-token deadline passed. */
async function prelude(d: Deployment, opened: Extract<OpenedAttempt, { kind: 'stream' }>, late: () => boolean): Promise<Started> {
  const prelude: Array<Extract<StreamStep, { done: false }>> = [];
  try {
    while (prelude.length < MAX_PRELUDE) {
      const step = await opened.next();
      // An attempt that answered despite the abort is still too late.
      if (late()) throw new Error('late');
      if (step.done) return { kind: 'stream', status: opened.status, opened, prelude, ended: true };
      prelude.push(step);
      if (hasContent(step.chunk)) return { kind: 'stream', status: opened.status, opened, prelude, ended: false };
    }
    throw new GatewayError(502, 'upstream_invalid', 'Upstream stream sent no content', { reason: `${d.key}: ${MAX_PRELUDE} chunks without content` });
  } catch (e) {
    opened.abort();
    throw e;
  }
}
