/**
 * A chat completion → the Anthropic Messages answer. Pure; golden tests in
 * test/protocols/anthropic-answer.test.ts.
 */
import { exposeCallId } from '../call-id.ts';
import { matchedStopSequence, splitContent, type ChatCompletion, type ChatUsage } from '../chat-completion.ts';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStopReason, AnthropicUsage } from './types.ts';

/** What the answer needs from the request. */
export interface AnthropicAnswerContext {
  /** The model as the client named it. */
  model: string;
  stopSequences?: readonly string[];
}

/** The Anthropic message for a chat completion (first choice). */
export function chatToAnthropic(completion: ChatCompletion, ctx: AnthropicAnswerContext): AnthropicMessage {
  const choice = completion.choices?.[0];
  const message = choice?.message;
  const { text, reasoning } = splitContent(message);
  const content: AnthropicContentBlock[] = [];
  // Chat providers give no signature; an empty one marks the block as not Anthropic's.
  if (reasoning !== '') content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (text !== '') content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: exposeCallId(call.id, call.extra_content), name: call.function.name, input: parseToolInput(call.function.arguments) });
  }
  const stop = stopOf(choice?.finish_reason, (message?.tool_calls?.length ?? 0) > 0, matchedStopSequence(choice, text, ctx.stopSequences));
  return {
    id: messageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stop.reason,
    stop_sequence: stop.sequence,
    usage: anthropicUsage(completion.usage),
  };
}

/** An Anthropic-looking id from the provider's. */
export function messageId(providerId: string | undefined): string {
  if (providerId === undefined || providerId === '') return `msg_${crypto.randomUUID().replaceAll('-', '')}`;
  return providerId.startsWith('msg_') ? providerId : `msg_${providerId}`;
}

/** Tool arguments as an object; an empty or broken string becomes `{}` (Anthropic's input is always an object). */
export function parseToolInput(args: string | undefined): unknown {
  if (args === undefined || args.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(args);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/**
 * finish_reason → stop_reason. Tool calls win whatever the reason says (Gemini's OpenAI endpoint answers
 * tool calls with `stop`); `stop` with a known matched sequence is `stop_sequence`.
 */
export function stopOf(
  finish: string | null | undefined,
  hasToolCalls: boolean,
  sequence: string | null,
): { reason: AnthropicStopReason; sequence: string | null } {
  if (hasToolCalls || finish === 'tool_calls' || finish === 'function_call') return { reason: 'tool_use', sequence: null };
  if (finish === 'length') return { reason: 'max_tokens', sequence: null };
  if (finish === 'content_filter') return { reason: 'refusal', sequence: null };
  if (sequence !== null) return { reason: 'stop_sequence', sequence };
  return { reason: 'end_turn', sequence: null };
}

/** Chat usage → Anthropic usage; cached prompt tokens move from input to cache reads, as Anthropic counts them. */
export function anthropicUsage(u: ChatUsage | null | undefined): AnthropicUsage {
  const prompt = u?.prompt_tokens ?? 0;
  const cached = Math.min(u?.prompt_tokens_details?.cached_tokens ?? 0, prompt);
  return {
    input_tokens: prompt - cached,
    output_tokens: u?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}
