/** The continuation request per provider, and continuation chunks rewritten into the first stream. */
import { expect, test } from 'bun:test';
import { continuationRequest, hasContent, rewriteContinuation, Transcript } from '../../src/routing/prefill.ts';
import { chat, chunk } from './harness.ts';

test.each([
  ['openai', 'Hello, wor', { role: 'assistant', content: 'Hello, wor' }, ''],
  ['mistral', 'Hello, wor', { role: 'assistant', content: 'Hello, wor', prefix: true }, ''],
  ['deepseek', 'Hello, wor', { role: 'assistant', content: 'Hello, wor', prefix: true }, ''],
  ['anthropic', 'Hello, \n', { role: 'assistant', content: 'Hello,' }, ' \n'],
])('%s: a trailing assistant message with the text sent', (provider, sent, message, heldBack) => {
  const body = chat(true);
  const c = continuationRequest(body, sent, provider);
  expect(c.body.messages).toEqual([...body.messages, message]);
  expect(c.heldBack).toBe(heldBack);
  expect(body.messages.length).toBe(1);
});

test('nothing sent yet: the request as it was', () => {
  const body = chat(true);
  expect(continuationRequest(body, '', 'openai').body).toBe(body);
});

test('the transcript keeps the text of choice 0 and notices tool calls and finishes', () => {
  const t = new Transcript();
  t.observe(chunk('', { role: 'assistant', id: 'x' }));
  t.observe(chunk('Hel'));
  t.observe(chunk('lo'));
  expect([t.text, t.id, t.continuable]).toEqual(['Hello', 'x', true]);
  t.observe(chunk(undefined, { toolCall: true }));
  expect(t.continuable).toBe(false);
  const f = new Transcript();
  f.observe(chunk('a', { finish: 'stop' }));
  expect(f.continuable).toBe(false);
});

test.each([
  ['role chunk', chunk('', { role: 'assistant' }), false],
  ['content', chunk('a'), true],
  ['finish only (content filter)', chunk(undefined, { finish: 'content_filter' }), true],
  ['tool call', chunk(undefined, { toolCall: true }), true],
  ['reasoning', { choices: [{ index: 0, delta: { reasoning_content: 'hmm' } }] }, true],
  ['usage only', { choices: [], usage: { total_tokens: 1 } }, false],
])('first content? %s → %p', (_name, c, yes) => {
  expect(hasContent(c)).toBe(yes);
});

test('continuation chunks: the first stream id and model, no second role chunk, held-back space not repeated', () => {
  const first = new Transcript();
  first.observe(chunk('', { role: 'assistant', id: 'first', model: 'gpt-4o' }));
  const state = { heldBack: ' ' };
  expect(rewriteContinuation({ ...chunk('', { role: 'assistant', id: 'second', model: 'claude' }), refusal: null }, first, state)).toBeUndefined();
  expect(rewriteContinuation(chunk(' world', { id: 'second', model: 'claude' }), first, state)).toEqual(chunk('world', { id: 'first', model: 'gpt-4o' }));
  expect(state.heldBack).toBe('');
  expect(rewriteContinuation(chunk(' again', { id: 'second' }), first, state)).toEqual(chunk(' again', { id: 'first', model: 'gpt-4o' }));
  expect(rewriteContinuation({ id: 's', choices: [], usage: { total_tokens: 3 } }, first, state)).toEqual({ id: 'first', model: 'gpt-4o', choices: [], usage: { total_tokens: 3 } });
});
