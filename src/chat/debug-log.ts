/**
 * The shape of a conversation in the debug log (ENVIRONMENT=development at log level debug): every
 * content cut to DEBUG_CONTENT_TRUNCATE_WORDS words, at most the last DEBUG_MAX_MESSAGES messages.
 * Only the body is shaped; headers (and so keys and tokens) never reach this line.
 */
import type { Config } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import type { Provider } from '../providers/registry.ts';
import type { ChatMessage, ChatRequest, ContentPart } from '../schemas.ts';

/** How much of a conversation the debug line shows. */
export type DebugLimits = Config['debug'];

/** The first `limit` words of a text, saying how many were left out (whitespace inside is kept). */
export function truncateWords(text: string, limit: number): string {
  const words = text.match(/\S+/g) ?? [];
  if (words.length <= limit) return text;
  if (limit <= 0) return `[${words.length} words]`;
  // Cut just after the limit-th word so the kept part reads as written.
  const cut = text.match(new RegExp(`^\\s*(?:\\S+\\s+){${limit - 1}}\\S+`))?.[0] ?? '';
  return `${cut.trimStart()} … [+${words.length - limit} words]`;
}

/** A short description of an image, never its bytes (a data URL can be megabytes) or its full URL. */
function describeImage(url: string): string {
  const inline = /^data:([^;,]*)/.exec(url);
  if (inline) return `inline ${inline[1] || 'image'}, ${url.length} chars`;
  try {
    return `remote ${new URL(url).host}`;
  } catch {
    return 'remote';
  }
}

function partShape(part: ContentPart, limit: number): Record<string, unknown> {
  if (part.type === 'text') return { type: 'text', text: truncateWords(part.text ?? '', limit) };
  if (part.type === 'image_url') return { type: 'image_url', image: describeImage(part.image_url?.url ?? '') };
  return { type: part.type };
}

function messageShape(m: ChatMessage, limit: number): Record<string, unknown> {
  const shape: Record<string, unknown> = { role: m.role };
  if (typeof m.content === 'string') shape.content = truncateWords(m.content, limit);
  else if (Array.isArray(m.content)) shape.content = m.content.map((p) => partShape(p, limit));
  else shape.content = null;
  if (m.tool_calls) {
    shape.tool_calls = m.tool_calls.map((c) => ({ id: c.id, name: c.function?.name, arguments: truncateWords(c.function?.arguments ?? '', limit) }));
  }
  if (m.tool_call_id !== undefined) shape.tool_call_id = m.tool_call_id;
  return shape;
}

/** The fields of the debug line for one chat; the newest messages are the ones kept. */
export function conversationShape(providerId: string, body: ChatRequest, limits: DebugLimits): Record<string, unknown> {
  const total = body.messages.length;
  const kept = limits.maxMessages > 0 ? body.messages.slice(-limits.maxMessages) : [];
  const fields: Record<string, unknown> = {
    provider: providerId,
    model: body.model,
    stream: body.stream === true,
    message_count: total,
  };
  if (kept.length < total) fields.omitted_messages = total - kept.length;
  fields.messages = kept.map((m) => messageShape(m, limits.truncateWords));
  if (body.tools?.length) fields.tools = body.tools.map((t) => t.function?.name);
  return fields;
}

/** True when conversations are logged: development mode with the log level at debug. */
export function conversationLogging(ctx: GatewayContext): boolean {
  return ctx.config.environment === 'development' && ctx.config.logLevel === 'debug' && ctx.logger.enabled('debug');
}

/** Logs the chat about to go upstream; costs one check when conversation logging is off. */
export function logConversation(ctx: GatewayContext, request: Request, provider: Provider, body: ChatRequest): void {
  if (!conversationLogging(ctx)) return;
  const requestId = ctx.telemetry.records.get(request)?.id;
  ctx.logger.debug('chat conversation', { request_id: requestId, ...conversationShape(provider.id, body, ctx.config.debug) });
}
