/**
 * How the protocol routes (/v1/messages, /v1/responses, /v1/embeddings) talk to a provider: one exchange
 * each (src/exchange/exchange.ts), its summary in the request's record; a native answer passed on as the
 * provider wrote it, a translated stream re-encoded chunk by chunk into the client's protocol.
 */
import type { ChatClient } from '../chat/forward.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { Exchange } from '../exchange/exchange.ts';
import { batchBytes, relay, SSE_HEADERS } from '../exchange/relay.ts';
import { isRecord } from '../json.ts';
import { providerRequest } from '../providers/request.ts';
import type { Provider } from '../providers/registry.ts';
import { withRequestId } from '../telemetry/request-record.ts';
import type { ChunkSource } from './chat-call.ts';
import { splitContent, type ChatChunk } from './chat-completion.ts';
import { withKeepAlive } from './keep-alive.ts';

/** Largest non-streamed answer held to check or translate it. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const encoder = new TextEncoder();

/** A protocol's stream encoder: text to send per chunk, at a clean end, and after a failure. */
export interface StreamEncoder {
  chunk(c: ChatChunk): string;
  end(): string;
  fail(message: string): string;
}

/** The exchange of one request to `path` (not yet opened), counted in the request's record. */
export function protocolExchange(
  ctx: GatewayContext,
  provider: Provider,
  path: string,
  headers: Record<string, string>,
  body: string,
  model: string,
  client: ChatClient,
): Exchange {
  const exchange = new Exchange(ctx.exchanges, {
    provider,
    method: 'POST',
    request: providerRequest(provider, path, headers),
    body,
    model,
    client: client.signal,
  });
  client.rec?.exchanges.push(exchange.summary);
  return exchange;
}

/** The request's own headers for a provider: JSON in, JSON or events out, and the named client headers. */
export function ownHeaders(request: Request, stream: boolean, pass: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  for (const name of pass) {
    const v = request.headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}


/**
 * The provider's events as it wrote them, whole events only. Read through the parser (not raw) so the
 * exchange sees the usage in Anthropic's and OpenAI's events, for metrics and token limits.
 */
async function nextEvents(exchange: Exchange): Promise<Uint8Array | undefined> {
  const batch = await exchange.nextBatch();
  return batch ? batchBytes(batch) : undefined;
}

/** Provider response headers a native answer keeps (as the proxy does): its request id and rate limits. */
const KEPT_HEADERS = ['request-id', 'retry-after'];
const KEPT_PREFIXES = ['anthropic-ratelimit-', 'x-ratelimit-', 'openai-'];

function keptHeaders(from: Headers, own: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  from.forEach((value, name) => {
    if (KEPT_HEADERS.includes(name) || KEPT_PREFIXES.some((p) => name.startsWith(p))) out[name] = value;
  });
  // The gateway's own headers (request id, its limits) win over the provider's.
  return { ...out, ...own };
}

/** A native answer passed on: JSON as written, or the event stream as written with `failure` on a break. */
export async function passNative(ctx: GatewayContext, exchange: Exchange, client: ChatClient, failure: (err: GatewayError) => string): Promise<Response> {
  await exchange.open();
  const status = exchange.answer.status;
  if (exchange.isEventStream) {
    const stream = relay({
      next: () => nextEvents(exchange),
      failureBytes: (err) => encoder.encode(failure(err)),
      abandon: () => exchange.abort(),
      onEnd: ctx.telemetry.finishWhenRelayed(client.rec),
    });
    return new Response(stream, { status, headers: keptHeaders(exchange.answer.headers, withRequestId(client.rec, SSE_HEADERS)) });
  }
  const text = await exchange.text(MAX_ANSWER_BYTES);
  return new Response(text, { status, headers: keptHeaders(exchange.answer.headers, withRequestId(client.rec, JSON_HEADERS)) });
}

/** The provider's whole chat answer, checked to be a completion object. */
export async function chatAnswer(exchange: Exchange): Promise<Record<string, unknown>> {
  await exchange.open();
  const { json } = await exchange.json(MAX_ANSWER_BYTES);
  if (!isRecord(json) || !Array.isArray(json.choices)) {
    throw new GatewayError(502, 'upstream_invalid', `Provider ${exchange.provider.id} returned a chat answer without choices`);
  }
  return json;
}

/** Options of a translated stream. */
export interface TranslatedStreamOptions {
  /** Sent when the provider is silent this long (Anthropic's `ping`); none when absent. */
  keepAlive?: { everyMs: number; text: () => string };
  /** After the clean end was encoded (the Responses store keeps the conversation here). */
  onComplete?: () => void | Promise<void>;
  /** More response headers (`x-served-by`). */
  headers?: Record<string, string>;
}

/** The client's stream for a chat stream: each chunk through `enc` as it comes, never buffered. */
export async function translatedStream(ctx: GatewayContext, source: ChunkSource, client: ChatClient, enc: StreamEncoder, opts: TranslatedStreamOptions = {}): Promise<Response> {
  let ended = false;
  let answered = false;
  const read = async (): Promise<Uint8Array | undefined> => {
    if (ended) return undefined;
    const chunks = await source.next();
    if (!chunks) {
      ended = true;
      const tail = enc.end();
      await opts.onComplete?.();
      return encoder.encode(tail);
    }
    let out = '';
    for (const chunk of chunks) {
      answered ||= startsAnswer(chunk);
      out += enc.chunk(chunk);
    }
    return encoder.encode(out);
  };
  // Nothing is sent before the provider produced content (DESIGN: "the path of a request"): a failure
  // until then is an HTTP error with its status, which clients retry, not a broken stream.
  const head: Uint8Array[] = [];
  while (!answered && !ended) {
    const bytes = await read();
    if (bytes) head.push(bytes);
  }
  let next = async (): Promise<Uint8Array | undefined> => head.shift() ?? read();
  const alive = opts.keepAlive;
  if (alive) next = withKeepAlive(next, alive.everyMs, () => encoder.encode(alive.text()));
  const stream = relay({
    next,
    failureBytes: (err) => encoder.encode(enc.fail(err.message)),
    abandon: () => source.abort(),
    onEnd: ctx.telemetry.finishWhenRelayed(client.rec),
  });
  return new Response(stream, { status: 200, headers: { ...withRequestId(client.rec, SSE_HEADERS), ...opts.headers } });
}

/** True once a chunk carries something of the answer: text, reasoning, a tool call or the finish. */
function startsAnswer(c: ChatChunk): boolean {
  return (c.choices ?? []).some((ch) => {
    if (ch.finish_reason || (ch.delta?.tool_calls?.length ?? 0) > 0) return true;
    const { text, reasoning } = splitContent(ch.delta);
    return text !== '' || reasoning !== '';
  });
}

/** A JSON answer with the request id (and any more headers). */
export function jsonAnswer(client: ChatClient, body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...withRequestId(client.rec, JSON_HEADERS), ...headers } });
}

/** The `x-served-by` header of an answer routing served. */
export function servedByHeader(servedBy: string | undefined): Record<string, string> | undefined {
  return servedBy ? { 'x-served-by': servedBy } : undefined;
}
