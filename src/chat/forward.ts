/** Sends a validated chat to its provider and relays the answer: bytes for JSON, a live relay for SSE. */
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { providerUrl, type Provider } from '../providers/registry.ts';
import type { ChatRequest } from '../schemas.ts';
import { readAll, type UpstreamCall } from '../upstream/client.ts';
import { callProvider } from '../upstream/provider-call.ts';
import { relaySse, type RelayObserver } from '../upstream/sse.ts';

/** Largest non-streamed answer the gateway will hold to check it is JSON. */
const MAX_JSON_ANSWER = 64 * 1024 * 1024;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies in front of the gateway not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** The body as the provider must see it. */
export function upstreamChatBody(provider: Provider, body: ChatRequest, model: string): ChatRequest {
  const out: ChatRequest = { ...body, model };
  if (out.stream !== true || provider.adapter.rejectsStreamOptions) delete out.stream_options;
  return out;
}

/** Opens the chat call; resolves when the provider's headers are in (errors already mapped). */
export function openChatCall(ctx: GatewayContext, provider: Provider, body: ChatRequest, signal?: AbortSignal): Promise<UpstreamCall> {
  const headers = new Headers({
    'content-type': 'application/json',
    accept: body.stream === true ? 'text/event-stream' : 'application/json',
  });
  return callProvider(
    provider,
    { url: providerUrl(provider, provider.endpoints.chat), method: 'POST', headers, body: JSON.stringify(body), clientSignal: signal },
    ctx.timeouts,
  );
}

/** Reads a non-streamed answer and checks that it is JSON (502 when it is not). */
export async function readJsonAnswer(ctx: GatewayContext, provider: Provider, call: UpstreamCall): Promise<{ bytes: Uint8Array<ArrayBuffer>; json: unknown }> {
  const bytes = await readAll(call, ctx.timeouts.timeoutMs, MAX_JSON_ANSWER);
  try {
    return { bytes, json: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    throw new GatewayError(502, `Provider ${provider.id} returned a response that is not valid JSON`);
  }
}

function isEventStream(call: UpstreamCall): boolean {
  return call.response.headers.get('content-type')?.includes('text/event-stream') ?? false;
}

/** The plain chat path: one upstream call, relayed. */
export async function forwardChat(
  ctx: GatewayContext,
  provider: Provider,
  body: ChatRequest,
  signal?: AbortSignal,
  observer?: RelayObserver,
): Promise<Response> {
  const call = await openChatCall(ctx, provider, body, signal);
  if (body.stream === true && isEventStream(call)) {
    const stream = relaySse(call, { gapTimeoutMs: ctx.timeouts.timeoutMs, ensureDone: true, observer });
    return new Response(stream, { status: call.response.status, headers: SSE_HEADERS });
  }
  const { bytes } = await readJsonAnswer(ctx, provider, call);
  observer?.chunk?.(bytes);
  observer?.end?.();
  return new Response(bytes, { status: call.response.status, headers: JSON_HEADERS });
}
