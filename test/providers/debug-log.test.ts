/**
 * DEBUG_CONTENT_TRUNCATE_WORDS / DEBUG_MAX_MESSAGES: in development at log level debug, each chat's
 * conversation is logged in shape only (contents cut to N words, the last M messages); keys never.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { conversationShape, truncateWords } from '../../src/chat/debug-log.ts';
import type { ChatRequest } from '../../src/schemas.ts';
import { testGateway } from '../helpers/gateway.ts';
import { startProviderFakes } from './provider-cases.ts';

const fakes = await startProviderFakes(['openai']);
afterAll(() => fakes.stop());
const OPENAI_KEY = fakes.env.OPENAI_API_KEY!;

const LONG = 'the quick brown fox jumps over the lazy dog near zebra crossing';
const PNG = `data:image/png;base64,${'iVBORw0KGgo'.repeat(40)}`;

function conversationLines(logs: string[]): Record<string, unknown>[] {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'chat conversation');
}

describe('truncateWords', () => {
  test('keeps the first N words and says how many were left out', () => {
    expect(truncateWords(LONG, 3)).toBe('the quick brown … [+9 words]');
    expect(truncateWords('  spaced\n\nout   words here', 2)).toBe('spaced\n\nout … [+2 words]');
  });

  test('text within the limit is unchanged; a limit of 0 leaves only the count', () => {
    expect(truncateWords('two\nwords', 2)).toBe('two\nwords');
    expect(truncateWords('', 5)).toBe('');
    expect(truncateWords(LONG, 0)).toBe('[12 words]');
  });
});

describe('conversationShape', () => {
  const body: ChatRequest = {
    model: 'gpt-4o-mini',
    stream: true,
    messages: [
      { role: 'system', content: LONG },
      { role: 'user', content: [{ type: 'text', text: LONG }, { type: 'image_url', image_url: { url: PNG } }, { type: 'image_url', image_url: { url: 'https://img.example/cat.jpg?sig=secret' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location": "Paris, France", "unit": "celsius"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny and warm all day long' },
    ],
    tools: [{ type: 'function', function: { name: 'get_weather' } }],
  };

  test('the last M messages, every content cut to N words, images described not copied', () => {
    expect(conversationShape('openai', body, { truncateWords: 2, maxMessages: 3 })).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      stream: true,
      message_count: 4,
      omitted_messages: 1,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'the quick … [+10 words]' },
            { type: 'image_url', image: `inline image/png, ${PNG.length} chars` },
            { type: 'image_url', image: 'remote img.example' },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"location": "Paris, … [+3 words]' }] },
        { role: 'tool', content: 'sunny and … [+4 words]', tool_call_id: 'call_1' },
      ],
      tools: ['get_weather'],
    });
  });

  test('DEBUG_MAX_MESSAGES=0 keeps only the count', () => {
    const shape = conversationShape('openai', body, { truncateWords: 10, maxMessages: 0 });
    expect(shape.messages).toEqual([]);
    expect(shape.omitted_messages).toBe(4);
  });
});

describe('the debug line in a running gateway', () => {
  const chat = {
    model: 'openai/gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a weather assistant who answers in one sentence.' },
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: 'Hi! Ask me about the weather anywhere.' },
      { role: 'user', content: LONG },
    ],
  };

  test('development + debug: one line per chat, shaped by both settings, with the request id and no key', async () => {
    const gw = testGateway({ ...fakes.env, ENVIRONMENT: 'development', DEBUG_CONTENT_TRUNCATE_WORDS: '4', DEBUG_MAX_MESSAGES: '2' });
    const res = await gw.post('/v1/chat/completions', chat, { headers: { 'content-type': 'application/json', 'x-request-id': 'req-debug-1' } });
    expect(res.status).toBe(200);
    const lines = conversationLines(gw.logs);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.level).toBe('debug');
    expect(line.request_id).toBe('req-debug-1');
    expect(line.message_count).toBe(4);
    expect(line.omitted_messages).toBe(2);
    expect(line.messages).toEqual([
      { role: 'assistant', content: 'Hi! Ask me about … [+3 words]' },
      { role: 'user', content: 'the quick brown fox … [+8 words]' },
    ]);
    const all = gw.logs.join('\n');
    expect(all).not.toContain('zebra');
    expect(all).not.toContain(OPENAI_KEY);
    expect(all.toLowerCase()).not.toContain('bearer');
  });

  test('the defaults are 10 words and 100 messages', async () => {
    const gw = testGateway({ ...fakes.env, ENVIRONMENT: 'development' });
    await gw.post('/v1/chat/completions', chat);
    const line = conversationLines(gw.logs)[0]!;
    expect(line.omitted_messages).toBeUndefined();
    expect((line.messages as { content: string }[]).at(-1)!.content).toBe('the quick brown fox jumps over the lazy dog near … [+2 words]');
  });

  test('not in development, or not at debug level: no conversation is logged', async () => {
    for (const env of [{ ENVIRONMENT: 'production' }, { ENVIRONMENT: 'development', LOG_LEVEL: 'info' }]) {
      const gw = testGateway({ ...fakes.env, ...env });
      expect((await gw.post('/v1/chat/completions', chat)).status).toBe(200);
      expect(conversationLines(gw.logs)).toEqual([]);
      expect(gw.logs.join('\n')).not.toContain('quick brown');
    }
  });

  test('a refused chat is not logged as a conversation', async () => {
    const gw = testGateway({ ...fakes.env, ENVIRONMENT: 'development', DISALLOWED_MODELS: 'gpt-4o-mini' });
    expect((await gw.post('/v1/chat/completions', chat)).status).toBe(403);
    expect(conversationLines(gw.logs)).toEqual([]);
  });
});
