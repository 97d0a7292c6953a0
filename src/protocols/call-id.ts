/**
 * Tool call ids that carry a provider's extra fields through clients that keep only the id. Gemini puts a
 * thought signature on each tool call (`extra_content.google.thought_signature`) and refuses the next
 * turn without it (https://ai.google.dev/gemini-api/docs/thought-signatures); Anthropic and Responses
 * clients send back a tool call's id and nothing else. So the id the client sees is the provider's id
 * plus the extra fields in base64url, and the id the client returns is split back into both. Stateless:
 * any gateway copy can read it.
 */
import type { ToolCall } from '../schemas.ts';

/**
 * Between the provider's id and the encoded extras. Letters and underscores only, so the whole id still
 * fits Anthropic's `^[a-zA-Z0-9_-]+$`; the first occurrence is the mark (provider ids do not hold it).
 */
const MARK = '__gx';

/** The id to show the client for a provider tool call. */
export function exposeCallId(id: string, extra: unknown): string {
  if (extra === undefined || extra === null) return id;
  return `${id}${MARK}${Buffer.from(JSON.stringify(extra)).toString('base64url')}`;
}

/** A client's tool call id split back into the provider's id and its extras (none when the id is plain). */
export function restoreCallId(exposed: string): { id: string; extra?: unknown } {
  const at = exposed.indexOf(MARK);
  if (at < 0) return { id: exposed };
  const encoded = exposed.slice(at + MARK.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return { id: exposed };
  try {
    return { id: exposed.slice(0, at), extra: JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) };
  } catch {
    return { id: exposed };
  }
}

/** A chat tool call from a client's id, with the provider extras the id carried put back. */
export function toolCall(exposedId: string, name: string, args: string): ToolCall {
  const { id, extra } = restoreCallId(exposedId);
  const call: ToolCall = { id, type: 'function', function: { name, arguments: args } };
  if (extra !== undefined) call.extra_content = extra as ToolCall['extra_content'];
  return call;
}
