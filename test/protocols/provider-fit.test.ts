/** A translated chat fitted to its provider. */
import { describe, expect, test } from 'bun:test';
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

describe('reasoning_content on earlier tool-call turns', () => {
  const withReasoning: ChatRequest = {
    model: 'm',
    messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, reasoning_content: 'why', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'y' },
    ],
  };
  test.each(['deepseek', 'moonshot'])('%s keeps it', (id) => {
    expect(fitChatToProvider(withReasoning, id)).toBe(withReasoning);
  });
  test.each(['groq', 'mistral', 'openai', 'google'])('%s gets none', (id) => {
    const fitted = fitChatToProvider(withReasoning, id);
    expect(fitted.messages[1]).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] });
    expect(withReasoning.messages[1]?.reasoning_content).toBe('why');
  });
});
