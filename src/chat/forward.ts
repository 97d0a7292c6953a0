/**
 * Sends a validated chat to its provider through one exchange and answers the client: the checked JSON
 * as the provider wrote it, or the provider's stream relayed.
 */
import type { GatewayContext } from '../context.ts';
import { Exchange } from '../exchange/exchange.ts';
import { relayChatStream, SSE_HEADERS } from '../exchange/relay.ts';
import { providerRequest } from '../providers/request.ts';
import type { Provider } from '../providers/registry.ts';
import type { ChatRequest, ChatTool } from '../schemas.ts';
import { withRequestId, type RequestRecord } from '../telemetry/request-record.ts';

/** Largest non-streamed answer the gateway will hold to check it is JSON. */
export const MAX_JSON_ANSWER = 64 * 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const ASK_JSON = { 'content-type': 'application/json', accept: 'application/json' } as const;
const ASK_SSE = { 'content-type': 'application/json', accept: 'text/event-stream' } as const;

/**
 * True when the gateway asks the provider for stream usage on the client's behalf (so tokens are
 * counted); the usage chunk is then kept from the client, who did not ask for it.
 */
export function usageInjected(provider: Provider, body: ChatRequest): boolean {
  return body.stream === true && !provider.adapter.rejectsStreamOptions && body.stream_options?.include_usage !== true;
}

/** The body as the provider must see it, with any tools the gateway adds (MCP) after the client's own. */
export function upstreamChatBody(provider: Provider, body: ChatRequest, extraTools?: readonly ChatTool[]): ChatRequest {
  // Most chats need no change here: no copy for them.
  if (body.stream !== true && body.stream_options === undefined && !extraTools) return body;
  const out: ChatRequest = { ...body };
  if (out.stream !== true || provider.adapter.rejectsStreamOptions) delete out.stream_options;
  else if (usageInjected(provider, body)) out.stream_options = { ...out.stream_options, include_usage: true };
  if (extraTools) out.tools = [...(body.tools ?? []), ...extraTools];
  return out;
}

/** Who a chat is for: the client's hang-up ends it; the record collects its exchanges. */
export interface ChatClient {
  signal: AbortSignal;
  rec?: RequestRecord;
}

/** The exchange of one chat (not yet opened); its summary is in the request's record from the start. */
export function chatExchange(ctx: GatewayContext, provider: Provider, body: ChatRequest, client: ChatClient, extraTools?: readonly ChatTool[]): Exchange {
  const exchange = new Exchange(ctx.exchanges, {
    provider,
    method: 'POST',
    request: providerRequest(provider, provider.endpoints.chat, body.stream === true ? ASK_SSE : ASK_JSON),
    body: JSON.stringify(upstreamChatBody(provider, body, extraTools)),
    model: body.model,
    client: client.signal,
  });
  client.rec?.exchanges.push(exchange.summary);
  return exchange;
}

/** The plain chat path: one exchange, its answer passed on. */
export async function forwardChat(ctx: GatewayContext, provider: Provider, body: ChatRequest, client: ChatClient): Promise<Response> {
  const exchange = await chatExchange(ctx, provider, body, client).open();
  const status = exchange.answer.status;
  const rec = client.rec;
  if (body.stream === true && exchange.isEventStream) {
    const stream = relayChatStream(exchange, { stripUsage: usageInjected(provider, body), onEnd: ctx.telemetry.finishWhenRelayed(rec) });
    return new Response(stream, { status, headers: withRequestId(rec, SSE_HEADERS) });
  }
  const { text } = await exchange.json(MAX_JSON_ANSWER);
  return new Response(text, { status, headers: withRequestId(rec, JSON_HEADERS) });
}
