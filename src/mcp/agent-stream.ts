/**
 * The agent loop for streamed chats: every round's chunks reach the client as they arrive (the MCP
 * tool calls too, unless they are hidden), MCP tools run between rounds, and the client's stream ends
 * with exactly one `data: [DONE]` (or one error event).
 */
import { MAX_JSON_ANSWER } from '../chat/forward.ts';
import { asGatewayError, GatewayError } from '../errors.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { SSE_HEADERS, sseErrorEvent } from '../exchange/relay.ts';
import { withRequestId } from '../telemetry/request-record.ts';
import { callModel, continueWithTools, LIMIT_FINISH_REASON, splitCalls, UsageSum, type AgentRun } from './agent-round.ts';
import { RoundAssembler } from './stream-round.ts';

const encoder = new TextEncoder();
/** An SSE comment: clients ignore it, but it keeps the connection from looking idle. */
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n');
const MAX_KEEP_ALIVE_MS = 10_000;
const DONE = encoder.encode('data: [DONE]\n\n');

const event = (data: string) => encoder.encode(`data: ${data}\n\n`);

/** How the stream ended, for the request's log line. */
interface Ending {
  error?: GatewayError;
  clientGone?: boolean;
}

/** Half the write timeout, so a quiet stretch never reaches it; at most every 10 s. */
function keepAliveMs(run: AgentRun): number {
  return Math.max(250, Math.min(MAX_KEEP_ALIVE_MS, run.ctx.config.server.writeTimeoutMs / 2));
}

/** Reads one round from the provider, yielding what the client should see. */
async function* relayRound(exchange: Exchange, round: RoundAssembler): AsyncGenerator<Uint8Array> {
  for await (const ev of exchange.events()) {
    const out = round.feed(ev);
    if (out !== undefined) yield event(out);
  }
}

/**
 * Waits for `work`, sending keep-alive comments meanwhile: tools and the next round's first token can
 * take longer than SERVER_WRITE_TIMEOUT or a proxy's idle limit, and the stream must not look dead.
 */
async function* keptAlive<T>(work: Promise<T>, everyMs: number, out: { value?: T }): AsyncGenerator<Uint8Array> {
  let settled = false;
  const done = work.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, everyMs)))]);
    clearTimeout(timer);
    if (!settled) yield KEEP_ALIVE;
  }
  out.value = await work;
}

/** Every round of one chat as one client stream. */
async function* streamRounds(run: AgentRun, first: Exchange, ending: Ending): AsyncGenerator<Uint8Array> {
  const usage = new UsageSum();
  const wantsUsage = run.body.stream_options?.include_usage === true;
  let exchange = first;
  try {
    for (let n = 1; ; n++) {
      const round = new RoundAssembler(run.scope.tools, usage, run.hideToolCalls);
      yield* relayRound(exchange, round);
      if (run.signal.aborted) {
        ending.clientGone = true;
        return;
      }
      // The provider's error event already went to the client; nothing may follow it.
      if (round.upstreamError) {
        ending.error = new GatewayError(502, 'upstream_stream_error', 'Provider sent an error event', { reason: `${run.provider.id} sent an error event` });
        return;
      }
      const { mcp, client } = splitCalls(round.calls(), run.scope.tools);
      if (mcp.length > 0 && client.length === 0 && n < run.maxIterations) {
        const next: { value?: Exchange } = {};
        const work = continueWithTools(run, round.content, mcp).then(() => callModel(run));
        yield* keptAlive(work, keepAliveMs(run), next);
        exchange = next.value!;
        continue;
      }
      if (mcp.length > 0 && client.length === 0) {
        run.ctx.logger.warn('mcp agent loop stopped at its limit', { rounds: n });
        yield event(round.chunk({ choices: [{ index: 0, delta: {}, finish_reason: LIMIT_FINISH_REASON }] }));
      }
      const total = usage.value();
      if (wantsUsage && total) yield event(round.chunk({ choices: [], usage: total }));
      yield DONE;
      return;
    }
  } catch (err) {
    if (run.signal.aborted) {
      ending.clientGone = true;
      return;
    }
    ending.error = asGatewayError(err);
    yield sseErrorEvent(ending.error.message);
  }
}

/** Ends the request's record once the stream is over (the response was handed over long before). */
function finishRecord(run: AgentRun, ending: Ending): void {
  const rec = run.client.rec;
  if (!rec) return;
  if (ending.clientGone) rec.status = 499;
  else if (ending.error) run.ctx.telemetry.failed(rec, ending.error);
  run.ctx.telemetry.finish(rec);
}

/** Opens the first round (so its failures keep their HTTP status), then streams every round. */
export async function runStreamLoop(run: AgentRun, abort: () => void): Promise<Response> {
  const first = await callModel(run);
  const status = first.answer.status;
  if (!first.isEventStream) {
    // The provider answered a stream request with plain JSON: pass it on as it is.
    const { text } = await first.json(MAX_JSON_ANSWER);
    return new Response(text, { status, headers: withRequestId(run.client.rec, { 'content-type': 'application/json' }) });
  }
  if (run.client.rec) Object.assign(run.client.rec, { deferred: true, status });
  const ending: Ending = {};
  const chunks = streamRounds(run, first, ending);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (!done) return controller.enqueue(value);
        finishRecord(run, ending);
        controller.close();
      },
      cancel() {
        ending.clientGone = true;
        abort();
        void chunks.return(undefined).finally(() => finishRecord(run, ending));
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status, headers: withRequestId(run.client.rec, SSE_HEADERS) });
}
