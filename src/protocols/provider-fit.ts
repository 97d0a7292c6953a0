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

/** The chat body for `providerId` (the same object when nothing differs). */
export function fitChatToProvider(chat: ChatRequest, providerId: string): ChatRequest {
  if (!COMPLETION_TOKENS_NAME.has(providerId) || chat.max_tokens === undefined) return chat;
  const { max_tokens, ...rest } = chat;
  return { ...rest, max_completion_tokens: max_tokens };
}
