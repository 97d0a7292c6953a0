/**
 * The last step of a translation: a chat body fitted to the provider that will read it, where a
 * provider refuses what the others accept. Only the differences are listed.
 */
import type { ChatRequest } from '../schemas.ts';

/**
 * Providers that want `max_completion_tokens`: OpenAI's reasoning models refuse `max_tokens`
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_tokens), and every OpenAI
 * chat model takes the newer name.
 */
const COMPLETION_TOKENS_NAME = new Set(['openai']);

/**
 * Providers that take an earlier tool-call turn's reasoning back as `reasoning_content` (and refuse the
 * turn without it when thinking: https://api-docs.deepseek.com/guides/thinking_mode). Strict providers
 * (Groq, Mistral) refuse a message field they do not know, so everyone else gets none.
 */
const REASONING_ECHO = new Set(['deepseek', 'moonshot']);

/** The chat body for `providerId` (the same object when nothing differs). */
export function fitChatToProvider(chat: ChatRequest, providerId: string): ChatRequest {
  let out = chat;
  if (COMPLETION_TOKENS_NAME.has(providerId) && chat.max_tokens !== undefined) {
    const { max_tokens, ...rest } = chat;
    out = { ...rest, max_completion_tokens: max_tokens };
  }
  if (!REASONING_ECHO.has(providerId) && chat.messages.some((m) => m.reasoning_content !== undefined)) {
    out = { ...out, messages: chat.messages.map(({ reasoning_content: _dropped, ...m }) => m) };
  }
  return out;
}
