/**
 * Native streams (Anthropic /messages, OpenAI /responses) reach the client as the provider wrote them,
 * and their usage still reaches the request's log line; a break ends them with the protocol's error event.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const ANTHROPIC_EVENTS = [
  ev('message_start', { message: { id: 'msg_n', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ': a comment the provider sent\n\n',
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Native' } }),
  ev('content_block_stop', { index: 0 }),
  ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }),
  ev('message_stop', {}),
];
const RESPONSE = { id: 'resp_n', object: 'response', created_at: 1, status: 'completed', model: 'gpt-5', output: [], usage: { input_tokens: 8, output_tokens: 3, total_tokens: 11 } };
const OPENAI_EVENTS = [
  ev('response.created', { response: { ...RESPONSE, status: 'in_progress', usage: null }, sequence_number: 0 }),
  ev('response.completed', { response: RESPONSE, sequence_number: 1 }),
];

const anthropic = fakeProvider({
  'POST /messages': (_req, rec) => (rec.body.includes('"cut"') ? sseResponse(ANTHROPIC_EVENTS.slice(0, 2).concat('event: content_block_delta\ndata: {"ty'), { done: false }) : sseResponse(ANTHROPIC_EVENTS, { done: false })),
});
const openai = fakeProvider({
  'POST /responses': (_req, rec) =>
    rec.body.includes('"stream":true')
      ? sseResponse(OPENAI_EVENTS, { done: false })
      : Response.json(RESPONSE, { headers: { 'x-request-id': 'req_provider', 'openai-processing-ms': '42', 'x-ratelimit-remaining-tokens': '999', 'set-cookie': 'a=b' } }),
});
const gw = listeningGateway({ ANTHROPIC_API_URL: anthropic.url, ANTHROPIC_API_KEY: 'sk-ant-native-stream', OPENAI_API_URL: openai.url, OPENAI_API_KEY: 'sk-oai-native-stream' });
afterAll(() => Promise.all([anthropic.stop(), openai.stop(), gw.stop()]));

async function logLine(id: string): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 200; i++) {
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.request_id === id);
    if (line) return line;
    await Bun.sleep(5);
  }
  return undefined;
}

describe('native streams', () => {
  test('Anthropic: the bytes as written, the usage in the log line', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'native-a-1' },
      body: JSON.stringify({ model: 'anthropic/claude-x', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.headers.get('content-type')).toStartWith('text/event-stream');
    expect(await res.text()).toBe(ANTHROPIC_EVENTS.join(''));
    expect(await logLine('native-a-1')).toMatchObject({ route: '/v1/messages', provider: 'anthropic', stream: true, input_tokens: 12, output_tokens: 5 });
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
    const final = await client.messages.stream({ model: 'anthropic/claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Native' }] as never);
  });

  test('Anthropic: a stream cut inside an event ends with an Anthropic error event', async () => {
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anthropic/claude-x', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'cut' }] }),
    });
    const text = await res.text();
    expect(text.startsWith(ANTHROPIC_EVENTS.slice(0, 2).join(''))).toBe(true);
    expect(text.trimEnd().split('\n\n').at(-1)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":".+"\}\}$/);
  });

  test('OpenAI Responses: the events as written, the usage in the log line', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const final = await client.responses.stream({ model: 'openai/gpt-5', input: 'hi' }, { headers: { 'x-request-id': 'native-o-1' } }).finalResponse();
    expect(final.usage?.total_tokens).toBe(11);
    expect(await logLine('native-o-1')).toMatchObject({ route: '/v1/responses', provider: 'openai', stream: true, input_tokens: 8, output_tokens: 3 });
  });

  test('a native JSON answer keeps the provider’s request id and rate-limit headers, not its cookies', async () => {
    const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'native-o-2' }, body: JSON.stringify({ model: 'openai/gpt-5', input: 'hi' }) });
    expect(res.headers.get('openai-processing-ms')).toBe('42');
    expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('999');
    expect(res.headers.get('set-cookie')).toBeNull();
    // The gateway's request id is the one the client sees.
    expect(res.headers.get('x-request-id')).toBe('native-o-2');
  });
});
