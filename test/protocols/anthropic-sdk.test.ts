/**
 * The official Anthropic SDK against the gateway: a chat provider (groq, translated) and Anthropic itself
 * (native), both fakes on port 0. What the provider received is asserted, as is what the SDK built.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import { fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, number>) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;

/** Answers by what the chat asks: a tool round when tools are offered and no result came back yet. */
const groq = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body) as { stream?: boolean; tools?: unknown[]; messages: { role: string }[] };
    const wantsTool = body.tools !== undefined && !body.messages.some((m) => m.role === 'tool');
    if (body.messages.some((m) => m.role === 'user' && JSON.stringify(m).includes('cut me'))) {
      return sseResponse([chunk({ role: 'assistant', content: 'partial' })], { done: false });
    }
    if (!body.stream) {
      const message = wantsTool
        ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }
        : { role: 'assistant', content: body.tools ? 'It is 18°C in Paris.' : 'Hello from groq.', reasoning: 'Short answer.' };
      return Response.json({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 11, completion_tokens: 4 } });
    }
    if (wantsTool) {
      return sseResponse([
        chunk({ role: 'assistant', content: 'Checking.' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_s', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] }),
        chunk({}, 'tool_calls'),
        chunk({}, null, { prompt_tokens: 20, completion_tokens: 9 }).replace('"choices":[{"index":0,"delta":{},"finish_reason":null}]', '"choices":[]'),
      ]);
    }
    return sseResponse([chunk({ role: 'assistant', reasoning: 'Think.' }), chunk({ content: 'Hello' }), chunk({ content: ' there.' }, 'stop'), chunk({}, null, { prompt_tokens: 7, completion_tokens: 3 })]);
  },
});

const anthropic = fakeProvider({
  'POST /messages': () =>
    Response.json({
      id: 'msg_native',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Native hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 2 },
    }),
  'POST /messages/count_tokens': () => Response.json({ input_tokens: 42 }),
});

const gw = listeningGateway({ GROQ_API_URL: groq.url, GROQ_API_KEY: 'gsk-sdk-key', ANTHROPIC_API_URL: anthropic.url, ANTHROPIC_API_KEY: 'sk-ant-gateway-key' });
afterAll(() => Promise.all([groq.stop(), anthropic.stop(), gw.stop()]));
const client = new Anthropic({ baseURL: gw.url, apiKey: 'client-gateway-credential', maxRetries: 0 });
const weatherTool = { name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };
const lastChat = () => JSON.parse(groq.last().body) as Record<string, unknown>;

describe('@anthropic-ai/sdk against a translated provider', () => {
  test('messages.create: text (with the reasoning as a thinking block)', async () => {
    const msg = await client.messages.create({ model: 'groq/llama-3.3-70b-versatile', max_tokens: 64, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: 'Short answer.', signature: '' },
      { type: 'text', text: 'Hello from groq.' },
    ] as never);
    expect([msg.stop_reason, msg.usage.input_tokens, msg.usage.output_tokens, msg.model]).toEqual(['end_turn', 11, 4, 'groq/llama-3.3-70b-versatile']);
    expect(lastChat()).toEqual({ model: 'llama-3.3-70b-versatile', max_tokens: 64, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    // The client's credential is for the gateway; the provider sees the gateway's key only.
    expect(groq.last().headers.authorization).toBe('Bearer gsk-sdk-key');
    expect(groq.last().headers['x-api-key']).toBeUndefined();
  });

  test('messages.stream: text deltas and the final message', async () => {
    const stream = client.messages.stream({ model: 'groq/llama-3.3-70b-versatile', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const final = await stream.finalMessage();
    expect(texts).toEqual(['Hello', ' there.']);
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Think.', signature: '' },
      { type: 'text', text: 'Hello there.' },
    ] as never);
    expect([final.stop_reason, final.usage.input_tokens, final.usage.output_tokens]).toEqual(['end_turn', 7, 3]);
    expect(lastChat()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  test('messages.stream with tool use: the split arguments arrive as a parsed input', async () => {
    const final = await client.messages.stream({ model: 'groq/llama-3.3-70b-versatile', max_tokens: 64, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Rome?' }] }).finalMessage();
    expect(final.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_s', name: 'get_weather', input: { city: 'Rome' } },
    ] as never);
    expect(final.stop_reason).toBe('tool_use');
    expect(lastChat().tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: weatherTool.input_schema } }]);
  });

  test('a tool round: tool_use from create, the tool_result sent back reaches the provider with its id', async () => {
    const first = await client.messages.create({ model: 'groq/llama-3.3-70b-versatile', max_tokens: 64, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toEqual({ type: 'tool_use', id: 'call_w', name: 'get_weather', input: { city: 'Paris' } } as never);
    if (use?.type !== 'tool_use') throw new Error('no tool_use');
    const second = await client.messages.create({
      model: 'groq/llama-3.3-70b-versatile',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18°C' }] },
      ],
    });
    expect(second.content.at(-1)).toEqual({ type: 'text', text: 'It is 18°C in Paris.' } as never);
    expect((lastChat().messages as unknown[]).slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_w', content: '18°C' },
    ]);
  });

  test('countTokens: an estimate, no provider call', async () => {
    const before = groq.received.length;
    const count = await client.messages.countTokens({ model: 'groq/llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'Hello, world' }] });
    expect(count).toEqual({ input_tokens: Math.ceil(JSON.stringify({ messages: [{ role: 'user', content: 'Hello, world' }] }).length / 4) });
    expect(groq.received.length).toBe(before);
  });

  test('errors are Anthropic-shaped APIErrors with the gateway status', async () => {
    const err = await client.messages.create({ model: 'nowhere/model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const e = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(e.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('Unable to determine provider') } } as never);
    const missing = await fetch(`${gw.url}/v1/messages`, { method: 'POST', body: '{"model":"groq/x","messages":[]}' });
    expect([missing.status, await missing.json()]).toEqual([400, { type: 'error', error: { type: 'invalid_request_error', message: "Invalid request body: 'max_tokens' must be a positive integer" } }]);
  });

  test('a stream cut after the start ends with an Anthropic error event the SDK raises', async () => {
    const stream = client.messages.stream({ model: 'groq/llama-3.3-70b-versatile', max_tokens: 5, messages: [{ role: 'user', content: 'cut me' }] });
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    const raw = await fetch(`${gw.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'groq/x', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'cut me' }] }) });
    const text = await raw.text();
    expect(text).toContain('event: content_block_delta');
    expect(text.trimEnd().split('\n\n').at(-1)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":".+"\}\}$/);
  });
});

describe('@anthropic-ai/sdk against Anthropic (native)', () => {
  test('messages.create goes to /messages as it came, with the gateway key and the client version and beta', async () => {
    const msg = await client.messages.create(
      { model: 'anthropic/claude-sonnet-4-5', max_tokens: 10, stop_sequences: ['END'], messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31', 'anthropic-version': '2023-06-01' } },
    );
    expect(msg.content).toEqual([{ type: 'text', text: 'Native hello.' }] as never);
    const rec = anthropic.calls('POST /messages')[0];
    expect(JSON.parse(rec?.body ?? '{}')).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 10, stop_sequences: ['END'], messages: [{ role: 'user', content: 'Hi' }] });
    expect(rec?.headers['x-api-key']).toBe('sk-ant-gateway-key');
    expect(rec?.headers['anthropic-version']).toBe('2023-06-01');
    expect(rec?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(rec?.headers.authorization).toBeUndefined();
  });

  test('countTokens is Anthropic’s own count', async () => {
    expect(await client.messages.countTokens({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] })).toEqual({ input_tokens: 42 });
    expect(JSON.parse(anthropic.last().body).model).toBe('claude-sonnet-4-5');
  });
});
