/**
 * A translated chat sent on a protocol route: to the target's one provider through one exchange, or,
 * for a routing alias, through routing's failover engine over its deployments. Either way the handler
 * gets a whole completion or a source of chunks, and never cares which.
 */
import { upstreamChatBody, type ChatClient } from '../chat/forward.ts';
import { checkVision } from '../chat/policy.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { cutError, streamErrorEvent } from '../exchange/failure.ts';
import { isRecord } from '../json.ts';
import { ChatAttempts } from '../routing/attempt.ts';
import type { Deployment, Route } from '../routing/config.ts';
import type { AttemptSequel, EngineResult, StreamLimits } from '../routing/contract.ts';
import type { RoutedStream } from '../routing/relay.ts';
import type { ChatRequest } from '../schemas.ts';
import { completionAsChunk, type ChatChunk, type ChatCompletion } from './chat-completion.ts';
import { chatAnswer, MAX_ANSWER_BYTES, ownHeaders, protocolExchange } from './exchange-io.ts';
import { fitChatToProvider } from './provider-fit.ts';
import type { Target } from './target.ts';

/** Where a translated stream's chunks come from. */
export interface ChunkSource {
  /** The chunks of the next read; undefined at a clean end; throws the GatewayError of a failure. */
  next(): Promise<ChatChunk[] | undefined>;
  abort(): void;
}

/** A translated chat's answer, and the deployment that served it (for `x-served-by`) when routing did. */
export type ChatCall = { kind: 'json'; json: ChatCompletion; servedBy?: string } | { kind: 'stream'; source: ChunkSource; servedBy?: string };

/** One exchange's chunks: an error event or a close before the answer finished is a failure. */
function exchangeChunks(exchange: Exchange): ChunkSource {
  let finished = false;
  let answeredWhole = false;
  return {
    async next() {
      if (answeredWhole) return undefined;
      if (!exchange.isEventStream) {
        // Asked for a stream, answered whole: the answer is one chunk of the client's stream.
        answeredWhole = true;
        const { json } = await exchange.json(MAX_ANSWER_BYTES);
        return isRecord(json) ? [completionAsChunk(json as ChatCompletion)] : [];
      }
      const batch = await exchange.nextBatch();
      if (!batch) {
        // Closed without a finish reason or `[DONE]`: the answer was cut, and the client must not take it as whole.
        if (!finished && !exchange.sawDone) throw cutError(exchange.provider, new Error('the stream closed before the answer finished'), true);
        return undefined;
      }
      const chunks: ChatChunk[] = [];
      for (const block of batch.blocks) {
        if (!('json' in block) || !isRecord(block.json)) continue;
        const err = streamErrorEvent(block.json, exchange.provider.id);
        if (err) {
          // The provider said it failed: the rest of its stream is not wanted.
          exchange.abort(err);
          throw err;
        }
        const chunk = block.json as ChatChunk;
        if (chunk.choices?.some((c) => c.finish_reason)) finished = true;
        chunks.push(chunk);
      }
      return chunks;
    },
    abort: () => exchange.abort(),
  };
}

/** Routing's stream: its engine already turned cuts, stalls and error events into the one failure it throws. */
function routedChunks(reads: RoutedStream, stop: () => void): ChunkSource {
  return {
    async next() {
      const batch = await reads.nextBatch();
      if (!batch) return undefined;
      const chunks: ChatChunk[] = [];
      for (const block of batch.blocks) if ('json' in block && isRecord(block.json)) chunks.push(block.json as ChatChunk);
      return chunks;
    },
    abort: () => {
      stop();
      reads.abort();
    },
  };
}

/** Sends `chat` (the client's request, translated) to the target; `request` names the client's headers. */
export async function sendChat(ctx: GatewayContext, target: Target, chat: ChatRequest, request: Request): Promise<ChatCall> {
  const stream = chat.stream === true;
  if ('alias' in target) return sendRouted(ctx, target.alias, chat, target.client);
  const { provider, model, client } = target;
  chat.model = model;
  checkVision(ctx.config.enableVision, provider, chat.messages);
  const body = JSON.stringify(upstreamChatBody(provider, fitChatToProvider(chat, provider.id)));
  const exchange = protocolExchange(ctx, provider, provider.endpoints.chat, ownHeaders(request, stream), body, model, client);
  if (!stream) return { kind: 'json', json: (await chatAnswer(exchange)) as ChatCompletion };
  await exchange.open();
  return { kind: 'stream', source: exchangeChunks(exchange) };
}

async function sendRouted(ctx: GatewayContext, alias: Route, chat: ChatRequest, client: ChatClient): Promise<ChatCall> {
  const routing = ctx.routing;
  if (!routing) throw new Error('an alias without routing');
  const stop = new AbortController();
  const result = await routing.engine.run(alias, chat, stop.signal, new ProtocolAttempts(ctx, client));
  if (result.kind === 'json') return { kind: 'json', json: result.json as ChatCompletion, servedBy: result.servedBy.key };
  return { kind: 'stream', source: routedChunks(result.items, () => stop.abort()), servedBy: result.servedBy.key };
}

/** The attempts of a protocol's chat: each deployment gets the chat shaped for its provider, as a direct call would; the answer is taken as it is. */
class ProtocolAttempts extends ChatAttempts<EngineResult> {
  override open<T>(d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits, then: AttemptSequel<T>): Promise<T> {
    return super.open(d, fitChatToProvider(body, d.provider), signal, limits, then);
  }

  finish(result: EngineResult): EngineResult {
    return result;
  }
}
