/**
 * The openai SDK's Responses and embeddings calls against the gateway: a chat provider (mistral,
 * translated), OpenAI itself (native), fakes on port 0.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, number>) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;

type ChatBody = { stream?: boolean; tools?: unknown[]; messages: { role: string; content?: unknown; [key: string]: unknown }[] };

const mistral = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body) as ChatBody;
    const wantsTool = body.tools !== undefined && !body.messages.some((m) => m.role === 'tool');
    if (body.stream) {
      if (wantsTool) {
        return sseResponse([
          chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_ls', type: 'function', function: { name: 'shell', arguments: '{"cmd"' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: ':"ls"}' } }] }, 'tool_calls', { prompt_tokens: 30, completion_tokens: 6, total_tokens: 36 }),
        ]);
      }
      return sseResponse([chunk({ role: 'assistant', content: 'Comté' }), chunk({ content: ', probably.' }, 'stop', { prompt_tokens: 16, completion_tokens: 4, total_tokens: 20 })]);
    }
    const last = body.messages.at(-1);
    const message = wantsTool
      ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"pwd"}' } }] }
      : { role: 'assistant', content: last?.role === 'tool' ? `The output was ${String(last.content)}.` : `You said: ${JSON.stringify(last?.content)}` };
    return Response.json({ id: 'c2', object: 'chat.completion', choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } });
  },
  'POST /embeddings': (_req, rec) => {
    const body = JSON.parse(rec.body) as { input: string[] };
    return Response.json({ id: 'e1', object: 'list', data: body.input.map((_s, i) => ({ object: 'embedding', index: i, embedding: [0.5, i] })), model: 'mistral-embed', usage: { prompt_tokens: 6, total_tokens: 6 } });
  },
});

const openai = fakeProvider({
  'POST /responses': (_req, rec) => {
    const body = JSON.parse(rec.body) as { model: string };
    return Response.json({ id: 'resp_native', object: 'response', created_at: 1, status: 'completed', model: body.model, output: [{ type: 'message', id: 'msg_n', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Native.', annotations: [] }] }], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } });
  },
});

const gw = listeningGateway({ MISTRAL_API_URL: mistral.url, MISTRAL_API_KEY: 'mk-responses', OPENAI_API_URL: openai.url, OPENAI_API_KEY: 'sk-openai-gw' });
afterAll(() => Promise.all([mistral.stop(), openai.stop(), gw.stop()]));
const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-credential', maxRetries: 0 });
const M = 'mistral/mistral-large-latest';
const shell = { type: 'function' as const, name: 'shell', description: 'Run a command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false };
const lastChat = () => JSON.parse(mistral.calls('POST /v1/chat/completions').at(-1)?.body ?? '{}') as ChatBody & Record<string, unknown>;

describe('openai SDK Responses against a translated provider', () => {
  test('responses.create: text, usage, output_text', async () => {
    const r = await client.responses.create({ model: M, input: 'Hi', instructions: 'Be brief.', max_output_tokens: 50 });
    expect([r.status, r.output_text, r.model, r.usage?.input_tokens, r.usage?.output_tokens, r.usage?.total_tokens]).toEqual(['completed', 'You said: "Hi"', M, 9, 5, 14]);
    expect(r.id).toMatch(/^resp_/);
    expect(lastChat()).toEqual({ model: 'mistral-large-latest', max_tokens: 50, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(mistral.last().headers.authorization).toBe('Bearer mk-responses');
  });

  test('responses.stream: text deltas and the final response', async () => {
    const stream = client.responses.stream({ model: M, input: 'Best cheese?' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(['Comté', ', probably.']);
    expect([final.status, final.output_text, final.usage?.total_tokens]).toEqual(['completed', 'Comté, probably.', 20]);
    // Mistral rejects stream_options, so the gateway does not send it there.
    expect(lastChat()).toEqual({ model: 'mistral-large-latest', stream: true, messages: [{ role: 'user', content: 'Best cheese?' }] });
  });

  test('responses.stream with a function call split across chunks', async () => {
    const final = await client.responses.stream({ model: M, input: 'List files', tools: [shell] }).finalResponse();
    expect(final.output).toMatchObject([{ type: 'function_call', call_id: 'call_ls', name: 'shell', arguments: '{"cmd":"ls"}', status: 'completed' }]);
    expect(final.output[0]?.id).toStartWith('fc_');
    expect(lastChat().tools).toEqual([{ type: 'function', function: { name: 'shell', description: 'Run a command', parameters: shell.parameters, strict: false } }]);
  });

  test('a function call and its output, continued with previous_response_id', async () => {
    const first = await client.responses.create({ model: M, input: 'Where am I?', tools: [shell] });
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"pwd"}' });
    if (call?.type !== 'function_call') throw new Error('no function call');
    const second = await client.responses.create({
      model: M,
      previous_response_id: first.id,
      tools: [shell],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '/home/me' }],
    });
    expect(second.output_text).toBe('The output was /home/me.');
    expect(second.previous_response_id).toBe(first.id);
    expect(lastChat().messages).toEqual([
      { role: 'user', content: 'Where am I?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"pwd"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '/home/me' },
    ]);
    const third = await client.responses.create({ model: M, previous_response_id: second.id, input: 'Thanks' });
    expect((lastChat().messages as unknown[]).length).toBe(5);
    expect(third.output_text).toBe('You said: "Thanks"');
  });

  test('store: false keeps nothing to continue from; an unknown id is a 400', async () => {
    const r = await client.responses.create({ model: M, input: 'secret', store: false });
    const err = await client.responses.create({ model: M, previous_response_id: r.id, input: 'more' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain(`Previous response with id '${r.id}' not found.`);
  });
});

describe('openai SDK Responses against OpenAI (native)', () => {
  test('responses.create goes to /responses as it came, with the gateway key', async () => {
    const r = await client.responses.create({ model: 'openai/gpt-5', input: 'Hi', reasoning: { effort: 'low' } });
    expect(r.output_text).toBe('Native.');
    const rec = openai.last();
    expect([rec.path, rec.headers.authorization]).toEqual(['/v1/responses', 'Bearer sk-openai-gw']);
    expect(JSON.parse(rec.body)).toEqual({ model: 'gpt-5', input: 'Hi', reasoning: { effort: 'low' } });
  });
});

describe('openai SDK embeddings', () => {
  test('embeddings.create on a provider with an embeddings endpoint', async () => {
    const r = await client.embeddings.create({ model: 'mistral/mistral-embed', input: ['a', 'b'], encoding_format: 'float' });
    expect(r.data).toEqual([
      { object: 'embedding', index: 0, embedding: [0.5, 0] },
      { object: 'embedding', index: 1, embedding: [0.5, 1] },
    ]);
    expect(r.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    const rec = mistral.calls('POST /v1/embeddings').at(-1);
    expect(JSON.parse(rec?.body ?? '{}')).toEqual({ model: 'mistral-embed', input: ['a', 'b'], encoding_format: 'float' });
  });

  test('a provider without embeddings is a 400 naming it', async () => {
    const gw2 = listeningGateway({ GROQ_API_URL: mistral.url, GROQ_API_KEY: 'gk-embed' });
    try {
      const c = new OpenAI({ baseURL: `${gw2.url}/v1`, apiKey: 'x', maxRetries: 0 });
      const err = await c.embeddings.create({ model: 'groq/nomic-embed', input: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain('Provider groq does not support embeddings');
    } finally {
      await gw2.stop();
    }
  });
});
