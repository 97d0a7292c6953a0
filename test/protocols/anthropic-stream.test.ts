/** Golden table: a provider's chunk stream → the full Anthropic event sequence the client sees. */
import { describe, expect, test } from 'bun:test';
import { AnthropicStreamEncoder } from '../../src/protocols/anthropic/stream.ts';
import type { ChatChunk } from '../../src/protocols/chat-completion.ts';
import { sseEvents, type SseEvent } from './sse-text.ts';

const M = 'groq/openai/gpt-oss-120b';
const ID = 'msg_test';

const start: SseEvent = [
  'message_start',
  {
    type: 'message_start',
    message: { id: ID, type: 'message', role: 'assistant', model: M, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
  },
];
const blockStart = (index: number, content_block: Record<string, unknown>): SseEvent => ['content_block_start', { type: 'content_block_start', index, content_block }];
const delta = (index: number, d: Record<string, unknown>): SseEvent => ['content_block_delta', { type: 'content_block_delta', index, delta: d }];
const text = (index: number, t: string) => delta(index, { type: 'text_delta', text: t });
const thinking = (index: number, t: string) => delta(index, { type: 'thinking_delta', thinking: t });
const json = (index: number, partial_json: string) => delta(index, { type: 'input_json_delta', partial_json });
const blockStop = (index: number): SseEvent => ['content_block_stop', { type: 'content_block_stop', index }];
const end = (stop_reason: string, input: number, output: number, stop_sequence: string | null = null): SseEvent[] => [
  [
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason, stop_sequence },
      usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  ],
  ['message_stop', { type: 'message_stop' }],
];
const textBlock = { type: 'text', text: '' };
const thinkingBlock = { type: 'thinking', thinking: '', signature: '' };

function c(delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): ChatChunk {
  return { id: 'chatcmpl-1', choices: [{ index: 0, delta, finish_reason: finish }], ...extra } as ChatChunk;
}
const usageOnly = (prompt: number, completion: number): ChatChunk => ({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion } });

const cases: [string, ChatChunk[], string[] | undefined, SseEvent[]][] = [
  [
    'plain OpenAI text with a usage-only last chunk',
    [c({ role: 'assistant', content: '' }), c({ content: 'Hello' }), c({ content: ' there' }), c({}, 'stop'), usageOnly(9, 2)],
    undefined,
    [start, blockStart(0, textBlock), text(0, 'Hello'), text(0, ' there'), blockStop(0), ...end('end_turn', 9, 2)],
  ],
  [
    'deepseek reasoning_content, then the answer',
    [c({ role: 'assistant', reasoning_content: 'Compare' }), c({ reasoning_content: ' tenths.' }), c({ content: '9.11' }), c({}, 'stop', { usage: { prompt_tokens: 16, completion_tokens: 30 } })],
    undefined,
    [start, blockStart(0, thinkingBlock), thinking(0, 'Compare'), thinking(0, ' tenths.'), blockStop(0), blockStart(1, textBlock), text(1, '9.11'), blockStop(1), ...end('end_turn', 16, 30)],
  ],
  [
    'groq / ollama reasoning field',
    [c({ reasoning: 'Think.' }), c({ content: 'Sure.' }, 'stop'), usageOnly(70, 21)],
    undefined,
    [start, blockStart(0, thinkingBlock), thinking(0, 'Think.'), blockStop(0), blockStart(1, textBlock), text(1, 'Sure.'), blockStop(1), ...end('end_turn', 70, 21)],
  ],
  [
    'a tool call split across chunks streams as input_json_delta fragments',
    [
      c({ role: 'assistant', content: 'Let me check.' }),
      c({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
      c({}, 'tool_calls'),
      usageOnly(40, 12),
    ],
    undefined,
    [
      start,
      blockStart(0, textBlock),
      text(0, 'Let me check.'),
      blockStop(0),
      blockStart(1, { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} }),
      json(1, '{"ci'),
      json(1, 'ty":"Paris"}'),
      blockStop(1),
      ...end('tool_use', 40, 12),
    ],
  ],
  [
    'several tool calls, one block each; a call without an id gets one',
    [
      c({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{}' } }] }),
      c({ tool_calls: [{ index: 1, function: { name: 'b', arguments: '{"x"' } }] }),
      c({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }, 'tool_calls', { usage: { prompt_tokens: 5, completion_tokens: 6 } }),
    ],
    undefined,
    [
      start,
      blockStart(0, { type: 'tool_use', id: 'call_a', name: 'a', input: {} }),
      json(0, '{}'),
      blockStop(0),
      blockStart(1, { type: 'tool_use', id: 'toolu_test_1', name: 'b', input: {} }),
      json(1, '{"x"'),
      json(1, ':1}'),
      blockStop(1),
      ...end('tool_use', 5, 6),
    ],
  ],
  [
    'gemini: whole tool calls in one chunk finished with stop → tool_use',
    [c({ role: 'assistant', tool_calls: [{ index: 0, id: 'g1', type: 'function', function: { name: 'ls', arguments: '{"dir":"."}' } }] }, 'stop')],
    undefined,
    [start, blockStart(0, { type: 'tool_use', id: 'g1', name: 'ls', input: {} }), json(0, '{"dir":"."}'), blockStop(0), ...end('tool_use', 0, 0)],
  ],
  [
    'length → max_tokens; moonshot usage inside the choice',
    [c({ content: 'Once' }), { id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'length', usage: { prompt_tokens: 19, completion_tokens: 1 } }] }],
    undefined,
    [start, blockStart(0, textBlock), text(0, 'Once'), blockStop(0), ...end('max_tokens', 19, 1)],
  ],
  [
    'a stop sequence the server names → stop_sequence',
    [c({ content: 'a, b' }), { choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'END' }] }],
    ['END'],
    [start, blockStart(0, textBlock), text(0, 'a, b'), blockStop(0), ...end('stop_sequence', 0, 0, 'END')],
  ],
  ['an empty answer still opens and closes the message', [c({}, 'stop')], undefined, [start, ...end('end_turn', 0, 0)]],
];

function run(chunks: ChatChunk[], stopSequences?: string[]): SseEvent[] {
  const enc = new AnthropicStreamEncoder({ model: M, id: ID, stopSequences });
  return sseEvents(chunks.map((ch) => enc.chunk(ch)).join('') + enc.end());
}

describe('chat chunks → Anthropic stream events', () => {
  test.each(cases)('%s', (_name, chunks, stops, expected) => {
    expect(run(chunks, stops)).toEqual(expected);
  });

  test('a failure after the start ends with one Anthropic error event and nothing after it', () => {
    const enc = new AnthropicStreamEncoder({ model: M, id: ID });
    const text1 = enc.chunk(c({ content: 'Hel' }));
    const failed = enc.fail('Upstream stream ended early');
    expect(sseEvents(text1 + failed)).toEqual([
      start,
      blockStart(0, textBlock),
      text(0, 'Hel'),
      ['error', { type: 'error', error: { type: 'api_error', message: 'Upstream stream ended early' } }],
    ]);
    expect(enc.chunk(c({ content: 'lo' })) + enc.end() + enc.ping() + enc.fail('again')).toBe('');
  });

  test('a ping while waiting opens the message first, and only once', () => {
    const enc = new AnthropicStreamEncoder({ model: M, id: ID });
    const ping: SseEvent = ['ping', { type: 'ping' }];
    expect(sseEvents(enc.ping() + enc.ping() + enc.chunk(c({ content: 'x' }, 'stop')) + enc.end())).toEqual([
      start,
      ping,
      ping,
      blockStart(0, textBlock),
      text(0, 'x'),
      blockStop(0),
      ...end('end_turn', 0, 0),
    ]);
  });

  test('the exact bytes of an event', () => {
    const enc = new AnthropicStreamEncoder({ model: 'm', id: 'msg_1' });
    enc.chunk(c({}));
    expect(enc.chunk(c({ content: 'Hi' }))).toBe(
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
    );
  });

  test('without an id the message gets a fresh msg_ id', () => {
    const first = sseEvents(new AnthropicStreamEncoder({ model: M }).ping())[0]?.[1] as { message: { id: string } };
    expect(first.message.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
