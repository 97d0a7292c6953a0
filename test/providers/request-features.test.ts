/**
 * What a client sends reaches the provider intact (tools, tool_choice, reasoning_format, unknown
 * provider fields), and what the provider answers reaches the client intact: Gemini's per-call
 * `extra_content.google.thought_signature` survives the round trip through a real OpenAI SDK client.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { fakeProvider, sseData, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway, testGateway } from '../helpers/gateway.ts';
import { startProviderFakes } from './provider-cases.ts';

interface SignatureFixture {
  chatModel: string;
  toolCall: { choices: { message: Record<string, unknown> }[] };
  toolCallStream: Record<string, unknown>[];
  final: Record<string, unknown>;
}
const sig = (await Bun.file(`${import.meta.dir}/../fixtures/providers/google-thought-signature.json`).json()) as SignatureFixture;

type Msg = { role: string; tool_calls?: { extra_content?: { google?: { thought_signature?: string } } }[] };

/** Answers like Gemini 3 behind Google's OpenAI-compatible endpoint: a tool call echoed without its signature is a 400. */
const google = fakeProvider(
  {
    'POST /v1beta/openai/chat/completions': (_req, rec) => {
      const body = JSON.parse(rec.body) as { stream?: boolean; messages: Msg[] };
      const unsigned = body.messages.some((m) => m.role === 'assistant' && m.tool_calls?.some((c) => !c.extra_content?.google?.thought_signature));
      if (unsigned) {
        const message = 'Function call is missing a thought_signature in functionCall parts.';
        return Response.json([{ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }], { status: 400 });
      }
      if (body.messages.some((m) => m.role === 'tool')) return Response.json(sig.final);
      if (body.stream === true) return sseResponse(sig.toolCallStream.map((e) => `data: ${JSON.stringify(e)}\n\n`));
      return Response.json(sig.toolCall);
    },
  },
  '',
);
const others = await startProviderFakes(['groq', 'mistral']);
afterAll(() => Promise.all([google.stop(), others.stop()]));

const env = { ...others.env, GOOGLE_API_URL: `${google.url}/v1beta/openai`, GOOGLE_API_KEY: 'AIza-sig-test' };
const gw = testGateway(env);

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    strict: true,
  },
};

describe('request fields reach the provider intact', () => {
  test('tools, tool_choice, reasoning_format and fields the gateway does not know (groq)', async () => {
    const body = {
      model: 'groq/openai/gpt-oss-120b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      reasoning_format: 'parsed',
      reasoning_effort: 'low',
      response_format: { type: 'text' },
      seed: 7,
      max_completion_tokens: 256,
      top_p: 0.9,
      user: 'user-42',
      metadata: { trace: 'abc' },
    };
    const res = await gw.post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    const sent = JSON.parse(others.byId.get('groq')!.fake.last().body);
    expect(sent).toEqual({ ...body, model: 'openai/gpt-oss-120b' });
  });

  test('a streamed request keeps every field too; only stream_options goes, for a provider that refuses it (mistral)', async () => {
    const body = {
      model: 'mistral/mistral-large-latest',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: 'any',
      stream: true,
      stream_options: { include_usage: true },
      random_seed: 3,
      safe_prompt: false,
    };
    const res = await gw.post('/v1/chat/completions', body);
    expect(res.status).toBe(200);
    expect((await sseData(res)).at(-1)).toBe('[DONE]');
    const { stream_options: _removed, ...rest } = body;
    expect(JSON.parse(others.byId.get('mistral')!.fake.last().body)).toEqual({ ...rest, model: 'mistral-large-latest' });
  });
});

describe('Gemini thought signatures (extra_content.google.thought_signature)', () => {
  const server = listeningGateway(env);
  afterAll(() => server.stop());
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused-by-the-gateway' });
  const question = { role: 'user' as const, content: 'What is the weather in Paris?' };
  const toolResult = (id: string) => ({ role: 'tool' as const, tool_call_id: id, content: '{"temp_c":18,"sky":"sunny"}' });

  test('non-streamed: the tool call comes back with its signature, and the signature goes back verbatim', async () => {
    const first = await client.chat.completions.create({ model: `google/${sig.chatModel}`, messages: [question], tools: [weatherTool] as OpenAI.ChatCompletionTool[] });
    expect(JSON.parse(JSON.stringify(first))).toEqual(sig.toolCall);
    const assistant = first.choices[0]!.message;
    const callId = assistant.tool_calls![0]!.id;
    const second = await client.chat.completions.create({
      model: `google/${sig.chatModel}`,
      messages: [question, assistant, toolResult(callId)],
      tools: [weatherTool] as OpenAI.ChatCompletionTool[],
    });
    expect(second.choices[0]!.message.content).toBe('It is 18°C and sunny in Paris.');
    const sent = JSON.parse(google.last().body) as { messages: unknown[] };
    expect(sent.messages[1]).toEqual(sig.toolCall.choices[0]!.message);
  });

  test('streamed: the signature arrives in the tool-call delta untouched and is accepted when echoed', async () => {
    const res = await gw.post('/v1/chat/completions', { model: `google/${sig.chatModel}`, messages: [question], tools: [weatherTool], stream: true });
    expect(res.status).toBe(200);
    expect(await sseData(res)).toEqual([...sig.toolCallStream.map((e) => JSON.stringify(e)), '[DONE]']);
    const delta = (sig.toolCallStream[0] as { choices: { delta: { tool_calls: Record<string, unknown>[] } }[] }).choices[0]!.delta.tool_calls[0]!;
    const { index: _index, ...call } = delta;
    const assistant = { role: 'assistant', content: null, tool_calls: [call] };
    const next = await gw.post('/v1/chat/completions', { model: `google/${sig.chatModel}`, messages: [question, assistant, toolResult(String(call.id))] });
    expect(next.status).toBe(200);
    expect(JSON.parse(google.last().body).messages[1]).toEqual(assistant);
  });

  test('a tool call echoed without its signature is refused by the provider, and its message reaches the client', async () => {
    const call = { id: 'function-call-1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } };
    const res = await gw.post('/v1/chat/completions', {
      model: `google/${sig.chatModel}`,
      messages: [question, { role: 'assistant', content: null, tool_calls: [call] }, toolResult('function-call-1')],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('missing a thought_signature');
  });

  // Google's own docs echo the assistant turn without `content`, as OpenAI allows when tool_calls is set.
  test('an assistant tool-call message without a content field is accepted and relayed', async () => {
    const call = { id: 'function-call-1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' }, extra_content: { google: { thought_signature: 'sig-abc' } } };
    const assistant = { role: 'assistant', tool_calls: [call] };
    const res = await gw.post('/v1/chat/completions', { model: `google/${sig.chatModel}`, messages: [question, assistant, toolResult('function-call-1')] });
    expect(res.status).toBe(200);
    expect(JSON.parse(google.last().body).messages[1]).toEqual(assistant);
  });
});
