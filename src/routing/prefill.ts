/**
 * Continuing a stream that broke mid-answer on another deployment: the conversation plus an assistant
 * message holding exactly the text already sent, shaped as that provider needs it, and the
 * continuation's chunks rewritten so that the client sees one stream (same id and model, one role
 * chunk). A stream that sent partial tool-call deltas is never continued: half a call's arguments
 * cannot be prefilled.
 */
import { isRecord } from '../json.ts';
import type { ChatMessage, ChatRequest } from '../schemas.ts';

/** Providers that continue a trailing assistant message only when it carries `prefix: true`. */
const PREFIX_PROVIDERS: ReadonlySet<string> = new Set(['mistral', 'deepseek']);
/** Providers that refuse a final assistant message ending in whitespace (Anthropic's Messages API). */
const NO_TRAILING_SPACE: ReadonlySet<string> = new Set(['anthropic']);

/**
 * What the client has been sent so far, read from the chunks relayed. The text and tool calls are
 * only kept when the stream could be continued (a later deployment takes prefill): reading every
 * chunk for them costs CPU on every stream.
 */
export class Transcript {
  /** Content of choice 0, exactly as sent (kept only with `keepText`). */
  text = '';
  toolCalls = false;
  finished = false;
  id: unknown;
  model: unknown;

  constructor(private readonly keepText = true) {}

  /** Notes one relayed chunk. */
  observe(chunk: Record<string, unknown>): void {
    if (this.id === undefined) {
      this.id = chunk.id;
      this.model = chunk.model;
    }
    const choices = chunk.choices;
    if (!Array.isArray(choices)) return;
    for (let i = 0; i < choices.length; i++) {
      const c: unknown = choices[i];
      if (!isRecord(c)) continue;
      if (c.finish_reason != null) this.finished = true;
      if (!this.keepText) continue;
      const delta = c.delta;
      if (!isRecord(delta)) continue;
      if (delta.tool_calls !== undefined && Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) this.toolCalls = true;
      if (typeof delta.content === 'string' && (c.index ?? 0) === 0) this.text += delta.content;
    }
  }

  /** A broken stream may be continued: its text was kept, no tool-call deltas were sent and no choice had finished. */
  get continuable(): boolean {
    return this.keepText && !this.toolCalls && !this.finished;
  }
}

/** True when a chunk carries something for the user: content, reasoning, a tool-call delta, or a finish. */
export function hasContent(chunk: Record<string, unknown>): boolean {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return false;
  for (const c of choices) {
    if (!isRecord(c)) continue;
    if (c.finish_reason != null) return true;
    const d = c.delta;
    if (!isRecord(d)) continue;
    if (typeof d.content === 'string' && d.content !== '') return true;
    if (typeof d.reasoning_content === 'string' && d.reasoning_content !== '') return true;
    if (typeof d.reasoning === 'string' && d.reasoning !== '') return true;
    if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) return true;
  }
  return false;
}

/** The continuation request, and the whitespace held back from the prefill (sent already, so not to repeat). */
export interface Continuation {
  body: ChatRequest;
  heldBack: string;
}

/** The request that asks `provider` to continue after `sent`, the text the client already has. */
export function continuationRequest(body: ChatRequest, sent: string, provider: string): Continuation {
  let text = sent;
  let heldBack = '';
  if (NO_TRAILING_SPACE.has(provider)) {
    const trimmed = sent.replace(/\s+$/u, '');
    heldBack = sent.slice(trimmed.length);
    text = trimmed;
  }
  if (text === '') return { body, heldBack };
  const prefill: ChatMessage = { role: 'assistant', content: text };
  if (PREFIX_PROVIDERS.has(provider)) prefill.prefix = true;
  return { body: { ...body, messages: [...body.messages, prefill] }, heldBack };
}

/**
 * Rewrites one continuation chunk into the first stream: its id and model, no second role, and the
 * held-back whitespace not repeated. Returns undefined when nothing is left to send.
 */
export function rewriteContinuation(
  chunk: Record<string, unknown>,
  first: Transcript,
  state: { heldBack: string },
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { ...chunk, id: first.id, model: first.model };
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return isRecord(chunk.usage) ? out : undefined;
  let keep = isRecord(chunk.usage);
  out.choices = choices.map((c: unknown) => {
    if (!isRecord(c) || !isRecord(c.delta)) return c;
    const delta: Record<string, unknown> = { ...c.delta };
    delete delta.role;
    if (state.heldBack !== '' && typeof delta.content === 'string') {
      delta.content = delta.content.replace(/^\s+/u, '');
      if (delta.content !== '') state.heldBack = '';
    }
    if (delta.content === '') delete delta.content;
    // A role chunk's leftovers (`refusal: null`) carry nothing.
    if (Object.values(delta).some((v) => v != null) || c.finish_reason != null) keep = true;
    return { ...c, delta };
  });
  return keep ? out : undefined;
}
