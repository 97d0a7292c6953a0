/** Golden table: an Anthropic Messages request → the chat request the provider sees. */
import { describe, expect, test } from 'bun:test';
import { anthropicToChat } from '../../src/protocols/anthropic/request.ts';
import { checkAnthropicRequest } from '../../src/protocols/anthropic/validate.ts';
import type { AnthropicRequest } from '../../src/protocols/anthropic/types.ts';
import { GatewayError } from '../../src/errors.ts';

const M = 'groq/llama-3.3-70b-versatile';

const cases: [string, AnthropicRequest, Record<string, unknown>][] = [
  [
    'plain text with a string system prompt',
    { model: M, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] },
    { model: M, max_tokens: 100, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] },
  ],
  [
    'system as blocks, sampling, stop sequences, streaming with usage',
    {
      model: M,
      max_tokens: 50,
      system: [
        { type: 'text', text: 'You are a CLI.' },
        { type: 'text', text: 'Answer in English.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'List files' }] }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['END'],
      stream: true,
      metadata: { user_id: 'u-1' },
    },
    {
      model: M,
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are a CLI.\n\nAnswer in English.' },
        { role: 'user', content: 'List files' },
      ],
    },
  ],
  [
    'images: base64 becomes a data URL, url stays a url',
    {
      model: M,
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    },
    {
      model: M,
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    },
  ],
  [
    'tools, tool_choice any, a tool_use round and its results (ids kept, results first)',
    {
      model: M,
      max_tokens: 200,
      tools: [
        { name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two cities.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C' },
            { type: 'tool_result', tool_use_id: 'toolu_02', content: [{ type: 'text', text: 'unavailable' }], is_error: true },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
    },
    {
      model: M,
      max_tokens: 200,
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_02', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
          reasoning_content: 'Two cities.',
        },
        { role: 'tool', tool_call_id: 'toolu_01', content: '18°C' },
        { role: 'tool', tool_call_id: 'toolu_02', content: 'Error: unavailable' },
        { role: 'user', content: 'Thanks' },
      ],
    },
  ],
  [
    'tool_choice tool and none; an assistant turn with only a tool call has null content',
    {
      model: M,
      max_tokens: 5,
      tools: [{ name: 'ls', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'ls' },
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'ls', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: [{ type: 'text', text: 'a' }, { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' } }] }] },
      ],
    },
    {
      model: M,
      max_tokens: 5,
      tools: [{ type: 'function', function: { name: 'ls', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'ls' } },
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'toolu_9', content: 'a' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAA' } }] },
      ],
    },
  ],
  [
    'thinking budget → reasoning_effort; output_config.effort wins when given',
    { model: M, max_tokens: 20000, thinking: { type: 'enabled', budget_tokens: 10000 }, messages: [{ role: 'user', content: 'x' }] },
    { model: M, max_tokens: 20000, reasoning_effort: 'medium', messages: [{ role: 'user', content: 'x' }] },
  ],
  [
    'output_config effort max → high; thinking disabled adds nothing; tool_choice none',
    {
      model: M,
      max_tokens: 1,
      output_config: { effort: 'max' },
      thinking: { type: 'disabled' },
      tools: [{ name: 'ls', input_schema: { type: 'object' } }],
      tool_choice: { type: 'none' },
      messages: [{ role: 'user', content: 'x' }],
    },
    {
      model: M,
      max_tokens: 1,
      reasoning_effort: 'high',
      tools: [{ type: 'function', function: { name: 'ls', parameters: { type: 'object' } } }],
      tool_choice: 'none',
      messages: [{ role: 'user', content: 'x' }],
    },
  ],
  [
    'documents: plain text inline, PDF as a file part',
    {
      model: M,
      max_tokens: 1,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
            { type: 'document', title: 'r.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } },
          ],
        },
      ],
    },
    {
      model: M,
      max_tokens: 1,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'notes' },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBE', filename: 'r.pdf' } },
          ],
        },
      ],
    },
  ],
];

describe('Anthropic request → chat request', () => {
  test.each(cases)('%s', (_name, req, expected) => {
    expect(anthropicToChat(checkAnthropicRequest(structuredClone(req))) as unknown).toEqual(expected);
  });
});

const refusals: [string, unknown, boolean, string][] = [
  ['not an object', [], false, 'Invalid request body: expected a JSON object'],
  ['no model', { max_tokens: 1, messages: [] }, false, "Invalid request body: 'model' is required"],
  ['no max_tokens', { model: M, messages: [] }, false, "Invalid request body: 'max_tokens' must be a positive integer"],
  ['bad role', { model: M, max_tokens: 1, messages: [{ role: 'tool', content: 'x' }] }, false, "Invalid request body: 'messages.0.role' must be one of user, assistant"],
  ['block without type', { model: M, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, true, "Invalid request body: 'messages.0.content.0.type' is required"],
  ['tool without name', { model: M, max_tokens: 1, messages: [], tools: [{}] }, false, "Invalid request body: 'tools.0.name' is required"],
];

describe('Anthropic request validation', () => {
  test.each(refusals)('%s → 400', (_name, body, forCount, message) => {
    let caught: unknown;
    try {
      checkAnthropicRequest(body, forCount);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).status).toBe(400);
    expect((caught as GatewayError).message).toBe(message);
  });

  test('count_tokens bodies need no max_tokens', () => {
    expect(checkAnthropicRequest({ model: M, messages: [{ role: 'user', content: 'x' }] }, true).model).toBe(M);
  });
});
