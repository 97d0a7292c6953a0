/** Golden table: a provider's chat completion → the Response object the client sees, and what gets stored. */
import { describe, expect, test } from 'bun:test';
import type { ChatCompletion } from '../../src/protocols/chat-completion.ts';
import { chatToResponse, type ResponseContext } from '../../src/protocols/responses/answer.ts';
import { conversationAfter } from '../../src/protocols/responses/store.ts';
import type { ResponsesRequest } from '../../src/protocols/responses/types.ts';
import type { ChatMessage } from '../../src/schemas.ts';

const M = 'ollama_cloud/gpt-oss:120b';
const request: ResponsesRequest = { model: M, input: 'Summarize', instructions: 'Be brief.', max_output_tokens: 100, temperature: 0.5 };
const ctx: ResponseContext = { id: 'resp_abc', createdAt: 1756100000, request, model: M };

/** The fields every golden Response shares with this request. */
const base = {
  id: 'resp_abc',
  object: 'response',
  created_at: 1756100000,
  error: null,
  instructions: 'Be brief.',
  max_output_tokens: 100,
  model: M,
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: 0.5,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  truncation: 'disabled',
  metadata: {},
};
const usage = { prompt_tokens: 70, completion_tokens: 21, total_tokens: 91 };
const responsesUsage = { input_tokens: 70, input_tokens_details: { cached_tokens: 0 }, output_tokens: 21, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 91 };

function answer(message: Record<string, unknown>, finish: string): ChatCompletion {
  return { id: 'x', choices: [{ index: 0, message, finish_reason: finish }], usage } as ChatCompletion;
}
const text = (id: string, t: string, status = 'completed') => ({ type: 'message', id, status, role: 'assistant', content: [{ type: 'output_text', text: t, annotations: [] }] });

const cases: [string, ChatCompletion, Record<string, unknown>][] = [
  ['plain OpenAI text', answer({ role: 'assistant', content: 'Short.' }, 'stop'), { status: 'completed', incomplete_details: null, output: [text('msg_abc_0', 'Short.')] }],
  [
    'ollama / groq reasoning → a reasoning item first',
    answer({ role: 'assistant', content: 'Sure, here is a summary.', reasoning: 'The user wants a summary.' }, 'stop'),
    {
      status: 'completed',
      incomplete_details: null,
      output: [
        { type: 'reasoning', id: 'rs_abc_0', summary: [], content: [{ type: 'reasoning_text', text: 'The user wants a summary.' }] },
        text('msg_abc_1', 'Sure, here is a summary.'),
      ],
    },
  ],
  [
    'deepseek reasoning_content and function calls with their call ids',
    answer(
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Need the files.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } },
          { id: 'call_2', type: 'function', function: { name: 'shell', arguments: '{"cmd":"pwd"}' } },
        ],
      },
      'tool_calls',
    ),
    {
      status: 'completed',
      incomplete_details: null,
      output: [
        { type: 'reasoning', id: 'rs_abc_0', summary: [], content: [{ type: 'reasoning_text', text: 'Need the files.' }] },
        { type: 'function_call', id: 'fc_abc_1', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}', status: 'completed' },
        { type: 'function_call', id: 'fc_abc_2', call_id: 'call_2', name: 'shell', arguments: '{"cmd":"pwd"}', status: 'completed' },
      ],
    },
  ],
  [
    'length → incomplete with max_output_tokens',
    answer({ role: 'assistant', content: 'Once upon' }, 'length'),
    { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [text('msg_abc_0', 'Once upon', 'incomplete')] },
  ],
  ['content_filter → incomplete', answer({ role: 'assistant', content: '' }, 'content_filter'), { status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }],
];

describe('chat completion → Response', () => {
  test.each(cases)('%s', (_name, completion, expected) => {
    expect(chatToResponse(completion, ctx) as unknown).toEqual({ ...base, usage: responsesUsage, ...expected });
  });

  test('usage details: cached and reasoning tokens; no usage → null', () => {
    const detailed = { ...answer({ content: 'x' }, 'stop'), usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 3 } } };
    expect(chatToResponse(detailed, ctx).usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 15 });
    expect(chatToResponse({ ...answer({ content: 'x' }, 'stop'), usage: undefined }, ctx).usage).toBeNull();
  });

  test('the request echoes into the Response: tools, tool_choice, text format, reasoning, store', () => {
    const req: ResponsesRequest = {
      model: M,
      tools: [{ type: 'function', name: 'f' }],
      tool_choice: 'required',
      text: { format: { type: 'json_object' } },
      reasoning: { effort: 'low' },
      store: false,
      previous_response_id: 'resp_0',
      parallel_tool_calls: false,
      metadata: { k: 'v' },
    };
    expect(chatToResponse(answer({ content: '{}' }, 'stop'), { ...ctx, request: req })).toMatchObject({
      tools: [{ type: 'function', name: 'f' }],
      tool_choice: 'required',
      text: { format: { type: 'json_object' } },
      reasoning: { effort: 'low', summary: null },
      store: false,
      previous_response_id: 'resp_0',
      parallel_tool_calls: false,
      metadata: { k: 'v' },
      instructions: null,
      temperature: null,
    });
  });
});

describe('what a continuation will start from', () => {
  const conversation: ChatMessage[] = [{ role: 'user', content: 'List files' }];

  test('the conversation and the answer, tool calls included', () => {
    const r = chatToResponse(answer({ content: 'Running.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{}' } }] }, 'tool_calls'), ctx);
    expect(conversationAfter(request, conversation, r.output)).toEqual({
      messages: [
        { role: 'user', content: 'List files' },
        { role: 'assistant', content: 'Running.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{}' } }] },
      ],
    });
    expect(conversationAfter(request, conversation, chatToResponse(answer({ content: 'Hi' }, 'stop'), ctx).output)?.messages.at(-1)).toEqual({ role: 'assistant', content: 'Hi' });
  });

  test('store: false keeps nothing', () => {
    expect(conversationAfter({ store: false }, conversation, [])).toBeUndefined();
  });
});
