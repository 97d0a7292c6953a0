/**
 * `count_tokens` for providers without Anthropic's counter: an estimate, not a tokenizer. The heuristic
 * is about 4 characters per token (the usual rule of thumb for English text and code) over the JSON of
 * the system prompt, messages and tools, with each image counted as a flat 1,600 tokens (Anthropic's
 * figure for a ~1.15 megapixel image, https://docs.anthropic.com/en/docs/build-with-claude/vision)
 * instead of the length of its base64 data.
 */
import type { AnthropicRequest } from './types.ts';

/** Characters per token of the estimate. */
export const CHARS_PER_TOKEN = 4;
/** Tokens counted for each image. */
export const TOKENS_PER_IMAGE = 1600;

/** The estimated `{ input_tokens }` of a request. */
export function estimateInputTokens(req: Pick<AnthropicRequest, 'system' | 'messages' | 'tools'>): { input_tokens: number } {
  let images = 0;
  const json = JSON.stringify({ system: req.system, messages: req.messages, tools: req.tools }, function (this: unknown, key, value: unknown) {
    if (key === 'source' && isImageBlock(this)) {
      images++;
      return undefined;
    }
    return value;
  });
  return { input_tokens: Math.ceil(json.length / CHARS_PER_TOKEN) + images * TOKENS_PER_IMAGE };
}

function isImageBlock(block: unknown): boolean {
  return typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'image';
}
