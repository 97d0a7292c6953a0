/** Token usage as providers report it: OpenAI's chat shape, the Responses and Anthropic shapes, and embeddings. */
import { isRecord } from '../json.ts';

export interface TokenUsage {
  input: number;
  output: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Usage of an answer or a stream event, when it carries one: `usage.{prompt,completion}_tokens` (chat,
 * embeddings), `usage.{input,output}_tokens` (Responses, Anthropic's message_delta), Anthropic's
 * `message.usage` (message_start) and the Responses `response.usage` (response.completed).
 */
export function usageOf(json: unknown): TokenUsage | undefined {
  if (!isRecord(json)) return undefined;
  let u = json.usage;
  if (!isRecord(u) && isRecord(json.message)) u = json.message.usage;
  if (!isRecord(u) && isRecord(json.response)) u = json.response.usage;
  if (!isRecord(u)) return undefined;
  const input = num(u.prompt_tokens) ?? num(u.input_tokens);
  const output = num(u.completion_tokens) ?? num(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return { input: input ?? 0, output: output ?? 0 };
}

/** Folds a later report into what is known: Anthropic sends input in message_start and output in message_delta. */
export function mergeUsage(known: TokenUsage | undefined, next: TokenUsage): TokenUsage {
  if (!known) return next;
  return { input: next.input || known.input, output: next.output || known.output };
}

/** A usage-only chunk: OpenAI sends it last when `stream_options.include_usage` is on. */
export function isUsageOnlyChunk(json: unknown): boolean {
  return isRecord(json) && isRecord(json.usage) && Array.isArray(json.choices) && json.choices.length === 0;
}
