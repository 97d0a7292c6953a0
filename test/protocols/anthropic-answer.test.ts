/** Golden table: a provider's chat completion → the Anthropic message the client sees; errors; count_tokens. */
import { describe, expect, test } from 'bun:test';
import { chatToAnthropic } from '../../src/protocols/anthropic/answer.ts';
import { estimateInputTokens } from '../../src/protocols/anthropic/count-tokens.ts';
import { anthropicErrorBody, anthropicErrorResponse, renderAnthropicError } from '../../src/protocols/anthropic/errors.ts';
import type { ChatCompletion } from '../../src/protocols/chat-completion.ts';
import { GatewayError } from '../../src/errors.ts';

const M = 'deepseek/deepseek-reasoner';
const usage = { prompt_tokens: 16, completion_tokens: 30, total_tokens: 46 };
const zeroCache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function answer(message: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): ChatCompletion {
  return { id: 'cmpl-1', model: 'x', choices: [{ index: 0, message, finish_reason: finish, ...extra }], usage } as ChatCompletion;
}

const cases: [string, ChatCompletion, string[] | undefined, Record<string, unknown>][] = [
  [
    'plain OpenAI text',
    answer({ role: 'assistant', content: 'Hello.' }, 'stop'),
    undefined,
    { content: [{ type: 'text', text: 'Hello.' }], stop_reason: 'end_turn', stop_sequence: null },
  ],
  [
    'deepseek reasoning_content → thinking block first',
    answer({ role: 'assistant', content: '9.11 is smaller.', reasoning_content: 'Compare tenths.' }, 'stop'),
    undefined,
    {
      content: [
        { type: 'thinking', thinking: 'Compare tenths.', signature: '' },
        { type: 'text', text: '9.11 is smaller.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
    },
  ],
  [
    'groq / ollama reasoning → thinking block',
    answer({ role: 'assistant', content: 'Sure.', reasoning: 'The user wants it.' }, 'stop'),
    undefined,
    {
      content: [
        { type: 'thinking', thinking: 'The user wants it.', signature: '' },
        { type: 'text', text: 'Sure.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
    },
  ],
  [
    'mistral thinking parts in content',
    answer({ role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Hmm.' }] }, { type: 'text', text: 'Comté.' }] }, 'stop'),
    undefined,
    {
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: '' },
        { type: 'text', text: 'Comté.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
    },
  ],
  [
    'several tool calls, ids kept, input parsed',
    answer(
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } },
        ],
      },
      'tool_calls',
    ),
    undefined,
    {
      content: [
        { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_b', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
    },
  ],
  [
    'gemini: tool calls answered with finish_reason stop are still tool_use',
    answer({ role: 'assistant', content: 'On it.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{}' } }] }, 'stop'),
    undefined,
    {
      content: [
        { type: 'text', text: 'On it.' },
        { type: 'tool_use', id: 'c1', name: 'ls', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
    },
  ],
  ['length → max_tokens', answer({ role: 'assistant', content: 'Once upon' }, 'length'), undefined, { content: [{ type: 'text', text: 'Once upon' }], stop_reason: 'max_tokens', stop_sequence: null }],
  ['content_filter → refusal', answer({ role: 'assistant', content: '' }, 'content_filter'), undefined, { content: [], stop_reason: 'refusal', stop_sequence: null }],
  [
    'a stop sequence the server names (vLLM stop_reason) → stop_sequence',
    answer({ role: 'assistant', content: 'a, b' }, 'stop', { stop_reason: '\n\n' }),
    ['END', '\n\n'],
    { content: [{ type: 'text', text: 'a, b' }], stop_reason: 'stop_sequence', stop_sequence: '\n\n' },
  ],
  [
    'stop without a known matched sequence stays end_turn',
    answer({ role: 'assistant', content: 'done' }, 'stop'),
    ['END'],
    { content: [{ type: 'text', text: 'done' }], stop_reason: 'end_turn', stop_sequence: null },
  ],
];

describe('chat completion → Anthropic message', () => {
  test.each(cases)('%s', (_name, completion, stopSequences, expected) => {
    expect(chatToAnthropic(completion, { model: M, stopSequences }) as unknown).toEqual({
      id: 'msg_cmpl-1',
      type: 'message',
      role: 'assistant',
      model: M,
      usage: { input_tokens: 16, output_tokens: 30, ...zeroCache },
      ...expected,
    });
  });

  test('cached prompt tokens are reported as cache reads; missing usage is zero', () => {
    const cached = { ...answer({ content: 'x' }, 'stop'), usage: { prompt_tokens: 100, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 60 } } };
    expect(chatToAnthropic(cached, { model: M }).usage).toEqual({ input_tokens: 40, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 });
    const none = { ...answer({ content: 'x' }, 'stop'), usage: undefined, id: 'msg_keep' };
    expect(chatToAnthropic(none, { model: M })).toMatchObject({ id: 'msg_keep', usage: { input_tokens: 0, output_tokens: 0 } });
  });
});

const errorTypes: [number, string][] = [
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [422, 'invalid_request_error'],
  [429, 'rate_limit_error'],
  [500, 'api_error'],
  [502, 'api_error'],
  [503, 'overloaded_error'],
  [504, 'api_error'],
  [529, 'overloaded_error'],
];

describe('Anthropic error bodies', () => {
  test.each(errorTypes)('status %d → %s', (status, type) => {
    expect(anthropicErrorBody(status, 'm')).toEqual({ type: 'error', error: { type, message: 'm' } } as never);
  });

  test('a GatewayError renders with its status, headers and message', async () => {
    const res = renderAnthropicError(new GatewayError(429, 'rate_limited', 'Slow down', { headers: { 'retry-after': '3' } }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } });
    expect(await anthropicErrorResponse(504, 'Request timed out').text()).toBe('{"type":"error","error":{"type":"api_error","message":"Request timed out"}}');
  });
});

describe('count_tokens estimate', () => {
  test('about 4 characters per token over system, messages and tools', () => {
    const req = { system: 'abcd', messages: [{ role: 'user' as const, content: 'hello world' }] };
    const json = JSON.stringify({ system: 'abcd', messages: req.messages });
    expect(estimateInputTokens(req)).toEqual({ input_tokens: Math.ceil(json.length / 4) });
  });

  test('an image costs 1,600 tokens whatever the size of its data', () => {
    const image = (data: string) => ({
      messages: [{ role: 'user' as const, content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }] }],
    });
    const small = estimateInputTokens(image('A'));
    expect(estimateInputTokens(image('A'.repeat(100_000)))).toEqual(small);
    expect(small.input_tokens).toBe(1600 + Math.ceil(JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image' }] }] }).length / 4));
  });
});
