/** A translated chat fitted to its provider. */
import { expect, test } from 'bun:test';
import { fitChatToProvider } from '../../src/protocols/provider-fit.ts';
import type { ChatRequest } from '../../src/schemas.ts';

const chat: ChatRequest = { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] };

test.each([
  ['openai', { model: 'm', max_completion_tokens: 100, messages: [{ role: 'user', content: 'x' }] }],
  ['groq', chat],
  ['mistral', chat],
])('%s', (id, expected) => {
  expect(fitChatToProvider(chat, id) as unknown).toEqual(expected);
});

test('no max_tokens, nothing to rename', () => {
  const bare: ChatRequest = { model: 'm', messages: [] };
  expect(fitChatToProvider(bare, 'openai')).toBe(bare);
});
