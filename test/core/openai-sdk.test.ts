import { afterAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({
  'GET /models': () => Response.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1686935002, owned_by: 'openai' }] }),
  'POST /chat/completions': (_req, rec) =>
    JSON.parse(rec.body).stream ? sseResponse(chatChunks(['Hello', ', ', 'world'])) : Response.json(chatCompletion('Hello, world')),
});
const gw = listeningGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-sdk' });
afterAll(() => Promise.all([fake.stop(), gw.stop()]));
const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'not-used-by-the-gateway', maxRetries: 0 });

describe('the official openai SDK against the gateway', () => {
  test('models.list', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['openai/gpt-4o']);
  });

  test('chat.completions.create', async () => {
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello, world');
    expect(completion.usage?.total_tokens).toBe(12);
  });

  test('chat.completions.create with stream: true', async () => {
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello, world');
  });

  test('errors surface as APIError with the status and message', async () => {
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  });
});
