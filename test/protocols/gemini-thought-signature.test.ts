/**
 * Gemini's thought signatures survive a tool round through Anthropic and Responses clients, which send
 * back only a tool call's id: the id they see carries the signature, and the provider gets it back.
 */
import { describe, expect, test } from 'bun:test';
import fixture from '../fixtures/providers/google-thought-signature.json';
import { chatToAnthropic } from '../../src/protocols/anthropic/answer.ts';
import { anthropicToChat } from '../../src/protocols/anthropic/request.ts';
import { AnthropicStreamEncoder } from '../../src/protocols/anthropic/stream.ts';
import { exposeCallId, restoreCallId } from '../../src/protocols/call-id.ts';
import type { ChatChunk, ChatCompletion } from '../../src/protocols/chat-completion.ts';
import { chatToResponse } from '../../src/protocols/responses/answer.ts';
import { responsesToChat } from '../../src/protocols/responses/request.ts';
import { ResponsesStreamEncoder } from '../../src/protocols/responses/stream.ts';
import { sseEvents } from './sse-text.ts';

const M = 'google/gemini-3-pro-preview';
const SIG = 'CtwDAdHtim9DqiA2u0wq3x5h0F2yV8b1o6UQk0fXb9Ee1cT4oX2Fk7Qb0HnRk1mZs3QyPpA9';
const STREAM_SIG = 'Ev4CAdHtim8sY2kq1FzRt5uYwPq3N0mXo7bGc4VdL2rJ9sWqT6eK1hB8nMpZ0xAa5Qf3Rv';
const ID = 'function-call-f3b9ecb3-d55f-4076-98c8-b13e9d1c0e01';
const answer = fixture.toolCall as ChatCompletion;
/** The assistant tool call as Gemini must see it again. */
const echoed = { id: ID, type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' }, extra_content: { google: { thought_signature: SIG } } };

describe('call ids that carry provider extras', () => {
  test.each([
    ['call_1', undefined, 'call_1'],
    ['call_1', null, 'call_1'],
    ['c', { a: 1 }, `c__gx${Buffer.from('{"a":1}').toString('base64url')}`],
  ])('%s with %p → %s, and back', (id, extra, exposed) => {
    expect(exposeCallId(id, extra)).toBe(exposed);
    expect(restoreCallId(exposed)).toEqual(extra === undefined || extra === null ? { id } : { id, extra });
  });

  test.each(['toolu_01A', 'x__gx!!', 'x__gxAAAA'])('a client id %p that does not decode stays as it is', (id) => {
    expect(restoreCallId(id)).toEqual({ id });
  });

  test('the id the client sees fits Anthropic’s id pattern', () => {
    expect(exposeCallId(ID, { google: { thought_signature: SIG } })).toMatch(/^[a-zA-Z0-9_-]+$/);
  });
});

describe('Anthropic client, Gemini provider', () => {
  test('non-streamed: tool_use id → tool_use and tool_result back → the signed call and its result', () => {
    const msg = chatToAnthropic(answer, { model: M });
    const block = msg.content[0];
    if (block?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(block.id).not.toBe(ID);
    const chat = anthropicToChat({
      model: M,
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [block] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: block.id, content: '18°C' }] },
      ],
    });
    expect(chat.messages.slice(1) as unknown).toEqual([
      { role: 'assistant', content: null, tool_calls: [echoed] },
      { role: 'tool', tool_call_id: ID, content: '18°C' },
    ]);
  });

  test('streamed: the signature in the first fragment is in the tool_use block id', () => {
    const enc = new AnthropicStreamEncoder({ model: M, id: 'msg_g' });
    const events = sseEvents((fixture.toolCallStream as ChatChunk[]).map((c) => enc.chunk(c)).join('') + enc.end());
    const start = events.find(([name]) => name === 'content_block_start')?.[1] as { content_block: { id: string } };
    expect(restoreCallId(start.content_block.id)).toEqual({ id: 'function-call-9a1c2e7f-0b3d-4e5f-8a6b-7c8d9e0f1a2b', extra: { google: { thought_signature: STREAM_SIG } } });
  });
});

describe('Responses client, Gemini provider', () => {
  const ctx = { id: 'resp_g', createdAt: 1, request: { model: M }, model: M };

  test('non-streamed: call_id → function_call and its output back → the signed call and its result', () => {
    const item = chatToResponse(answer, ctx).output[0];
    if (item?.type !== 'function_call') throw new Error('expected a function_call item');
    const { chat } = responsesToChat({
      model: M,
      input: [
        { type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments },
        { type: 'function_call_output', call_id: item.call_id, output: '18°C' },
      ],
    });
    expect(chat.messages as unknown).toEqual([
      { role: 'assistant', content: null, tool_calls: [echoed] },
      { role: 'tool', tool_call_id: ID, content: '18°C' },
    ]);
  });

  test('streamed: the call_id of the function_call item carries the signature', () => {
    const enc = new ResponsesStreamEncoder(ctx);
    for (const c of fixture.toolCallStream as ChatChunk[]) enc.chunk(c);
    enc.end();
    const item = enc.response()?.output[0];
    if (item?.type !== 'function_call') throw new Error('expected a function_call item');
    expect(restoreCallId(item.call_id).extra).toEqual({ google: { thought_signature: STREAM_SIG } });
  });
});
