/**
 * One attempt up to the point where failing over is no longer free: a JSON answer read whole, or a
 * stream read up to its first content (text, reasoning, a tool-call delta or a finish). The attempt
 * keeps first_token_timeout itself; what came before the content is held back, so the client never
 * sees a deployment that is then left.
 */
import { GatewayError } from '../errors.ts';
import type { SseBatch, StreamEvent } from '../exchange/exchange.ts';
import { streamErrorEvent } from '../exchange/failure.ts';
import { isRecord } from '../json.ts';
import type { ChatRequest } from '../schemas.ts';
import type { Deployment, RouteSettings } from './config.ts';
import type { OpenAttempt, OpenedAttempt, Started } from './engine.ts';
import { hasContent } from './prefill.ts';

/** Events before the first content (role chunks, keep-alive deltas) that a provider may send; past this it is broken. */
const MAX_PRELUDE = 1_000;

/** One attempt, up to its first content (streams) or its whole answer (JSON). */
export function startAttempt(open: OpenAttempt, d: Deployment, body: ChatRequest, s: RouteSettings, signal: AbortSignal): Promise<Started> {
  const opening = open(d, body, signal, s);
  // A JSON answer is whole when it opens: the attempt's own promise, with no async layer around it (each costs every request).
  if (body.stream !== true) return opening as Promise<Started>;
  return opening.then((opened) => (opened.kind === 'json' ? opened : prelude(d, opened)));
}

/** Reads a stream up to its first content; the attempt is abandoned when it fails. */
async function prelude(d: Deployment, opened: Extract<OpenedAttempt, { kind: 'stream' }>): Promise<Started> {
  try {
    let batch = await opened.read();
    // Made once the first read is in, not before the wait: what an object made before the wait points at
    // outlives young collections (bench/README.md, "Routed streams and the collector").
    const reads: SseBatch[] = [];
    let events = 0;
    // Bounded by MAX_PRELUDE events; reads of comments alone are bounded by first_token_timeout (or CLIENT_TIMEOUT per read).
    for (;;) {
      if (!batch) return { kind: 'stream', status: opened.status, opened, prelude: reads, ended: true };
      reads.push(batch);
      for (const block of batch.blocks as StreamEvent[]) {
        if (block.data === undefined) continue;
        // The stream ended before any content: an empty answer, relayed as it is.
        if (block.done) return { kind: 'stream', status: opened.status, opened, prelude: reads, ended: true };
        events++;
        if (!isRecord(block.json)) continue;
        const failure = streamErrorEvent(block.json, d.provider);
        if (failure) throw failure;
        if (hasContent(block.json)) {
          opened.contentArrived();
          return { kind: 'stream', status: opened.status, opened, prelude: reads, ended: false };
        }
      }
      if (events >= MAX_PRELUDE) throw new GatewayError(502, 'upstream_invalid', 'Upstream stream sent no content', { reason: `${d.key}: ${MAX_PRELUDE} events without content` });
      batch = await opened.read();
    }
  } catch (e) {
    // The summary records why the attempt was left (an error event, a deadline), not a client that left.
    opened.abort(e instanceof GatewayError ? e : undefined);
    throw e;
  }
}
