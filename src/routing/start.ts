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
import type { AttemptSequel, OpenedAttempt, RunCaller, Started } from './contract.ts';
import { hasContent } from './prefill.ts';

/** Events before the first content (role chunks, keep-alive deltas) that a provider may send; past this it is broken. */
const MAX_PRELUDE = 1_000;

/** What becomes of an attempt once it got as far as content (`started`), or failed before. */
export interface StartSequel<T> extends AttemptSequel<T> {
  started(started: Started): T | Promise<T>;
}

/** An opened attempt, taken on to its first content: a JSON answer is there already; a stream is read up to it. */
export function startedFrom<T>(d: Deployment, opened: OpenedAttempt, then: StartSequel<T>): T | Promise<T> {
  return opened.kind === 'json' ? then.started(opened) : prelude(d, opened, then);
}

/** One attempt, up to its first content (streams) or its whole answer (JSON), as a promise that rejects with its failure. */
export function startAttempt(caller: Pick<RunCaller<unknown>, 'open'>, d: Deployment, body: ChatRequest, s: RouteSettings, signal: AbortSignal): Promise<Started> {
  return caller.open(d, body, signal, s, new Awaiting(d));
}

/** The sequel of an attempt whose caller awaits it (retries, continuations). */
class Awaiting implements StartSequel<Started> {
  constructor(private readonly d: Deployment) {}

  opened(opened: OpenedAttempt): Started | Promise<Started> {
    return startedFrom(this.d, opened, this);
  }

  started(started: Started): Started {
    return started;
  }

  failed(failure: unknown): never {
    throw failure;
  }
}

/** Reads a stream up to its first content (or its end); the attempt is abandoned when it fails. */
async function prelude<T>(d: Deployment, opened: Extract<OpenedAttempt, { kind: 'stream' }>, then: StartSequel<T>): Promise<T> {
  let reads: SseBatch[];
  /** Set once the first content came (false) or the body ended without any (true). */
  let ended: boolean | undefined;
  try {
    let batch = await opened.read();
    // Made once the first read is in, not before the wait: what an object made before the wait points at
    // outlives young collections (bench/README.md, "Routed streams and the collector").
    reads = [];
    let events = 0;
    // Bounded by MAX_PRELUDE events; reads of comments alone are bounded by first_token_timeout (or CLIENT_TIMEOUT per read).
    while (batch) {
      reads.push(batch);
      for (const block of batch.blocks as StreamEvent[]) {
        if (block.data === undefined) continue;
        // The stream ended before any content: an empty answer, relayed as it is.
        if (block.done) {
          ended = true;
          break;
        }
        events++;
        if (!isRecord(block.json)) continue;
        const failure = streamErrorEvent(block.json, d.provider);
        if (failure) throw failure;
        if (hasContent(block.json)) {
          opened.contentArrived();
          ended = false;
          break;
        }
      }
      if (ended !== undefined) break;
      if (events >= MAX_PRELUDE) throw new GatewayError(502, 'upstream_invalid', 'Upstream stream sent no content', { reason: `${d.key}: ${MAX_PRELUDE} events without content` });
      batch = await opened.read();
    }
  } catch (e) {
    // The summary records why the attempt was left (an error event, a deadline), not a client that left.
    opened.abort(e instanceof GatewayError ? e : undefined);
    return then.failed(e);
  }
  // No content before the body's end: an empty answer, relayed as it is.
  return then.started({ kind: 'stream', status: opened.status, opened, prelude: reads, ended: ended ?? true });
}
