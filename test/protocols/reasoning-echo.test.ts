/**
 * A thinking provider's tool round through the Anthropic SDK: the reasoning of the tool-call turn goes
 * back to DeepSeek as `reasoning_content` (it refuses the turn without it), and to no strict provider.
 */
import { afterAll, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

type Msg = { role: string; reasoning_content?: string; tool_calls?: unknown[] };

/** Like DeepSeek in thinking mode: a tool-call turn sent back without its reasoning is a 400. */
const thinker = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const { messages } = JSON.parse(rec.body) as { messages: Msg[] };
    if (messages.some((m) => m.tool_calls && m.reasoning_content === undefined)) {
      return Response.json({ error: { message: 'The reasoning_content in the thinking mode must be passed back to the API.' } }, { status: 400 });
    }
    const answered = messages.some((m) => m.role === 'tool');
    const message = answered
      ? { role: 'assistant', content: 'Done.' }
      : { role: 'assistant', content: null, reasoning_content: 'I should list files.', tool_calls: [{ id: 'call_r', type: 'function', function: { name: 'ls', arguments: '{}' } }] };
    return Response.json({ id: 'd1', choices: [{ index: 0, message, finish_reason: answered ? 'stop' : 'tool_calls' }], usage: { prompt_tokens: 1, completion_tokens: 1 } });
  },
});
const gw = listeningGateway({ DEEPSEEK_API_URL: thinker.url, DEEPSEEK_API_KEY: 'dsk-echo', GROQ_API_URL: thinker.url, GROQ_API_KEY: 'gsk-echo' });
afterAll(() => Promise.all([thinker.stop(), gw.stop()]));
const client = new Anthropic({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
const tools = [{ name: 'ls', input_schema: { type: 'object' as const } }];

async function round(model: string): Promise<Msg[]> {
  const first = await client.messages.create({ model, max_tokens: 50, tools, messages: [{ role: 'user', content: 'List files' }] });
  const use = first.content.find((b) => b.type === 'tool_use');
  if (use?.type !== 'tool_use') throw new Error('no tool_use');
  await client.messages.create({
    model,
    max_tokens: 50,
    tools,
    messages: [
      { role: 'user', content: 'List files' },
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'a.txt' }] },
    ],
  }).catch(() => undefined);
  return (JSON.parse(thinker.last().body) as { messages: Msg[] }).messages;
}

test('deepseek gets the tool-call turn back with its reasoning', async () => {
  const sent = await round('deepseek/deepseek-v4-pro');
  expect(sent[1]).toMatchObject({ role: 'assistant', reasoning_content: 'I should list files.' });
});

test('groq gets the same turn without reasoning_content', async () => {
  const sent = await round('groq/openai/gpt-oss-120b');
  expect(sent[1]?.role).toBe('assistant');
  expect(sent[1] && 'reasoning_content' in sent[1]).toBe(false);
});
