/** Golden table: an OpenAI Responses request (with any stored conversation) → the chat request the provider sees. */
import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../src/errors.ts';
import { responsesToChat } from '../../src/protocols/responses/request.ts';
import type { ResponsesRequest } from '../../src/protocols/responses/types.ts';
import { checkResponsesRequest } from '../../src/protocols/responses/validate.ts';
import type { ChatMessage } from '../../src/schemas.ts';

const M = 'mistral/mistral-large-latest';

const cases: [string, ResponsesRequest, ChatMessage[], Record<string, unknown>][] = [
  [
    'a string input with instructions and limits',
    { model: M, input: 'Hi', instructions: 'Be brief.', max_output_tokens: 64, temperature: 0.1, top_p: 0.5, user: 'u1' },
    [],
    { model: M, max_tokens: 64, temperature: 0.1, top_p: 0.5, user: 'u1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] },
  ],
  [
    'message items: developer → system, input_text / output_text / input_image parts, streaming with usage',
    {
      model: M,
      stream: true,
      input: [
        { role: 'developer', content: 'Use metric units.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAA', detail: 'low' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A cat.', annotations: [] }] },
        { role: 'user', content: [{ type: 'input_text', text: 'Sure?' }] },
      ],
    },
    [],
    {
      model: M,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Use metric units.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA', detail: 'low' } },
          ],
        },
        { role: 'assistant', content: 'A cat.' },
        { role: 'user', content: 'Sure?' },
      ],
    },
  ],
  [
    'function tools, tool_choice, and a call round: text + calls join one assistant turn; outputs become tool messages',
    {
      model: M,
      tools: [
        { type: 'function', name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
        { type: 'web_search' },
      ],
      tool_choice: { type: 'function', name: 'shell' },
      parallel_tool_calls: false,
      input: [
        { role: 'user', content: 'List files' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running ls.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' },
        { type: 'function_call', call_id: 'call_2', name: 'shell', arguments: '{"cmd":"pwd"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '/tmp' }] },
      ],
    },
    [],
    {
      model: M,
      tools: [{ type: 'function', function: { name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false } }],
      tool_choice: { type: 'function', function: { name: 'shell' } },
      parallel_tool_calls: false,
      messages: [
        { role: 'user', content: 'List files' },
        {
          role: 'assistant',
          content: 'Running ls.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } },
            { id: 'call_2', type: 'function', function: { name: 'shell', arguments: '{"cmd":"pwd"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
        { role: 'tool', tool_call_id: 'call_2', content: '/tmp' },
      ],
    },
  ],
  [
    'reasoning before function calls rides on that turn as reasoning_content; reasoning before text is dropped',
    {
      model: M,
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', id: 'rs_0', summary: [], content: [{ type: 'reasoning_text', text: 'Greet.' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello.' }] },
        { role: 'user', content: 'Files?' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Need ls.' }] },
        { type: 'function_call', call_id: 'call_9', name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_9', output: 'a' },
      ],
    },
    [],
    {
      model: M,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Files?' },
        { role: 'assistant', content: null, reasoning_content: 'Need ls.', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'shell', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_9', content: 'a' },
      ],
    },
  ],
  [
    'previous_response_id: the stored conversation comes first, after the new instructions',
    { model: M, previous_response_id: 'resp_1', instructions: 'New rules.', input: 'And then?' },
    [
      { role: 'user', content: 'Tell a story' },
      { role: 'assistant', content: 'Once upon a time.' },
    ],
    {
      model: M,
      messages: [
        { role: 'system', content: 'New rules.' },
        { role: 'user', content: 'Tell a story' },
        { role: 'assistant', content: 'Once upon a time.' },
        { role: 'user', content: 'And then?' },
      ],
    },
  ],
  [
    'reasoning effort and a JSON schema text format',
    {
      model: M,
      input: 'x',
      reasoning: { effort: 'xhigh', summary: 'auto' },
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', name: 'f' }],
      tool_choice: 'required',
    },
    [],
    {
      model: M,
      reasoning_effort: 'high',
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: 'required',
      messages: [{ role: 'user', content: 'x' }],
    },
  ],
  [
    'json_object format, allowed_tools choice, low effort',
    {
      model: M,
      input: 'x',
      reasoning: { effort: 'low' },
      text: { format: { type: 'json_object' } },
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'f' }] },
    },
    [],
    {
      model: M,
      reasoning_effort: 'low',
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'required',
      messages: [{ role: 'user', content: 'x' }],
    },
  ],
];

describe('Responses request → chat request', () => {
  test.each(cases)('%s', (_name, req, previous, expected) => {
    const { chat, conversation } = responsesToChat(checkResponsesRequest(structuredClone(req)), previous);
    expect(chat as unknown).toEqual(expected);
    // What a continuation starts from: everything but the instructions.
    const messages = expected.messages as ChatMessage[];
    expect(conversation).toEqual(typeof req.instructions === 'string' ? messages.slice(1) : messages);
  });
});

const refusals: [string, unknown, string][] = [
  ['no model', { input: 'x' }, "Invalid request body: 'model' is required"],
  ['input of the wrong type', { model: M, input: 3 }, "Invalid request body: 'input' must be a string or an array of items"],
  ['a function output without call_id', { model: M, input: [{ type: 'function_call_output', output: 'x' }] }, "Invalid request body: 'input.0.call_id' is required"],
  ['a message without content', { model: M, input: [{ role: 'user' }] }, "Invalid request body: 'input.0.content' must be a string or an array of parts"],
  ['an item type chat cannot express', { model: M, input: [{ type: 'item_reference', id: 'x' }] }, "Invalid request body: input item type 'item_reference' (input.0) is not supported for this provider"],
  ['an image by file id', { model: M, input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 'Invalid request body: an image by file_id (input.0.content.0) is not supported for this provider'],
  ['an unknown part type', { model: M, input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, "Invalid request body: content part type 'input_audio' (input.0.content.0) is not supported for this provider"],
];

describe('Responses request refusals', () => {
  test.each(refusals)('%s → 400', (_name, body, message) => {
    let caught: unknown;
    try {
      responsesToChat(checkResponsesRequest(body));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).status).toBe(400);
    expect((caught as GatewayError).message).toBe(message);
  });
});
