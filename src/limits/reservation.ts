/** The tokens reserved for a request before it runs: its answer's cap plus an estimate of its prompt. */

/** Roughly 4 characters a token for English text and code with OpenAI's tokenizers; the real usage corrects it afterwards. */
const CHARS_PER_TOKEN = 4;

const CAP_FIELDS = ['max_completion_tokens', 'max_tokens', 'max_output_tokens'] as const;

/**
 * `max_completion_tokens`, `max_tokens` (chat, Anthropic messages) or `max_output_tokens` (responses),
 * else `defaultMaxTokens`, plus the prompt estimated from the body's length (`promptChars`, 0 when unknown).
 */
export function tokenReservation(body: unknown, promptChars: number, defaultMaxTokens: number): number {
  let cap = defaultMaxTokens;
  if (typeof body === 'object' && body !== null) {
    const fields = body as Record<string, unknown>;
    for (const field of CAP_FIELDS) {
      const value = fields[field];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        cap = Math.ceil(value);
        break;
      }
    }
  }
  return cap + Math.ceil(Math.max(0, promptChars) / CHARS_PER_TOKEN);
}
