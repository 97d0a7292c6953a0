/** Sends a validated chat to its provider and relays the answer: bytes for JSON, a live relay for SSE. */
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { authHeaders, authorizeUrl } from '../providers/auth.ts';
import { providerUrl, type Provider } from '../providers/registry.ts';
import type { ChatRequest, ChatTool } from '../schemas.ts';
import { readText, type UpstreamCall } from '../upstream/client.ts';
import type { ClientLink } from '../upstream/deadlines.ts';
import { callProvider } from '../upstream/provider-call.ts';
import { withRequestId, type RequestRecord } from '../telemetry/request-record.ts';
import { relaySse, type RelayObserver } from '../upstream/sse.ts';
import { UsageTap, usageOf } from './usage-tap.ts';

/** Largest non-streamed answer the gateway will hold to check it is JSON. */
const MAX_JSON_ANSWER = 64 * 1024 * 1024;

/** Response headers of every relayed chat stream. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies in front of the gateway not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/**
 * True when the gateway asks the provider for stream usage on the client's behalf (so tokens are
 * counted); the usage chunk is then kept from the client, who did not ask for it.
 */
export function usageInjected(provider: Provider, body: ChatRequest): boolean {
  return body.stream === true && !provider.adapter.rejectsStreamOptions && body.stream_options?.include_usage !== true;
}

/** The body as the provider must see it. */
export function upstreamChatBody(provider: Provider, body: ChatRequest): ChatRequest {
  // Most chats need no change here: no copy for them.
  if (body.stream !== true && body.stream_options === undefined) return body;
  const out: ChatRequest = { ...body };
  if (out.stream !== true || provider.adapter.rejectsStreamOptions) delete out.stream_options;
  else if (usageInjected(provider, body)) out.stream_options = { ...out.stream_options, include_usage: true };
  return out;
}

/** Where a provider's chats go and the headers they carry: built once per provider, not per request. */
interface ChatTarget {
  url: string;
  json: Record<string, string>;
  sse: Record<string, string>;
}
const chatTargets = new WeakMap<Provider, ChatTarget>();

function chatTarget(provider: Provider, disableCompression: boolean): ChatTarget {
  let target = chatTargets.get(provider);
  if (!target) {
    const url = providerUrl(provider, provider.endpoints.chat);
    authorizeUrl(provider, url);
    const headers: Record<string, string> = { ...authHeaders(provider), 'content-type': 'application/json' };
    if (disableCompression) headers['accept-encoding'] = 'identity';
    target = { url: url.href, json: { ...headers, accept: 'application/json' }, sse: { ...headers, accept: 'text/event-stream' } };
    chatTargets.set(provider, target);
  }
  return target;
}

/** Tools the gateway adds to a chat (MCP), with their JSON made once. */
export interface ExtraTools {
  chatTools: readonly ChatTool[];
  /** `chatTools` as JSON array members, without the brackets. */
  json: string;
}

/** The provider-bound JSON; extra tools are spliced into the serialised body when it has none of its own. */
function chatJson(provider: Provider, body: ChatRequest, extra?: ExtraTools): string {
  const out = upstreamChatBody(provider, body);
  if (!extra) return JSON.stringify(out);
  if (out.tools !== undefined) return JSON.stringify({ ...out, tools: [...out.tools, ...extra.chatTools] });
  return `${JSON.stringify(out).slice(0, -1)},"tools":[${extra.json}]}`;
}

/** Opens the chat call; resolves when the provider's headers are in (errors already mapped). */
export function openChatCall(ctx: GatewayContext, provider: Provider, body: ChatRequest, client?: ClientLink, extra?: ExtraTools): Promise<UpstreamCall> {
  const target = chatTarget(provider, ctx.timeouts.disableCompression);
  return callProvider(
    provider,
    {
      url: target.url,
      method: 'POST',
      headers: body.stream === true ? target.sse : target.json,
      body: chatJson(provider, body, extra),
      client,
    },
    ctx.timeouts,
  );
}

/** Reads a non-streamed answer and checks that it is JSON (502 when it is not); `text` is what the client gets. */
export async function readJsonAnswer(ctx: GatewayContext, provider: Provider, call: UpstreamCall): Promise<{ text: string; json: unknown }> {
  const text = await readText(call, ctx.timeouts.timeoutMs, MAX_JSON_ANSWER);
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    throw new GatewayError(502, `Provider ${provider.id} returned a response that is not valid JSON`);
  }
}

function isEventStream(call: UpstreamCall): boolean {
  return call.response.headers.get('content-type')?.includes('text/event-stream') ?? false;
}

/** Feeds a relayed stream's first chunk, usage and end into the request's record. */
function streamObserver(ctx: GatewayContext, rec: RequestRecord, call: UpstreamCall, tap: UsageTap): RelayObserver {
  return {
    chunk(bytes) {
      rec.ttftMs ??= performance.now() - rec.startedAt;
      return tap.feed(bytes);
    },
    flush: () => tap.flush(),
    end(error) {
      rec.upstreamMs += performance.now() - call.startedAt;
      if (tap.usage) {
        rec.inputTokens = tap.usage.input;
        rec.outputTokens = tap.usage.output;
      }
      if (error === 'client disconnected') rec.status = 499;
      else if (error) rec.error = error;
      ctx.telemetry.finish(rec);
    },
  };
}

/** The plain chat path: one upstream call, relayed; `rec` (when given) collects what telemetry needs. */
export async function forwardChat(
  ctx: GatewayContext,
  provider: Provider,
  body: ChatRequest,
  client?: ClientLink,
  rec?: RequestRecord,
): Promise<Response> {
  if (rec) Object.assign(rec, { route: '/v1/chat/completions', provider: provider.id, model: body.model, stream: body.stream === true });
  const call = await openChatCall(ctx, provider, body, client);
  if (body.stream === true && isEventStream(call)) {
    const tap = new UsageTap(usageInjected(provider, body));
    let observer: RelayObserver = { chunk: (b) => tap.feed(b), flush: () => tap.flush() };
    if (rec) {
      rec.deferred = true;
      rec.status = call.response.status;
      observer = streamObserver(ctx, rec, call, tap);
    }
    const stream = relaySse(call, { gapTimeoutMs: ctx.timeouts.timeoutMs, ensureDone: true, observer });
    return new Response(stream, { status: call.response.status, headers: withRequestId(rec, SSE_HEADERS) });
  }
  const { text, json } = await readJsonAnswer(ctx, provider, call);
  if (rec) {
    rec.upstreamMs += performance.now() - call.startedAt;
    const usage = usageOf(json);
    if (usage) Object.assign(rec, { inputTokens: usage.input, outputTokens: usage.output });
  }
  return new Response(text, { status: call.response.status, headers: withRequestId(rec, JSON_HEADERS) });
}
