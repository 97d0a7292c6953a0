import { afterAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';
import { startIssuer } from '../helpers/oidc-issuer.ts';
import { CLIENT_ID } from './auth-gateway.ts';

const issuer = await startIssuer({ clientId: CLIENT_ID });
const fake = fakeProvider(
  {
    'GET *': () => Response.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1686935002, owned_by: 'openai' }] }),
    'POST *': (_req, rec) =>
      JSON.parse(rec.body).stream ? sseResponse(chatChunks(['Hello', ', ', 'world'])) : Response.json(chatCompletion('Hello, world')),
  },
  '',
);
const gw = listeningGateway({
  AUTH_ENABLE: 'true',
  AUTH_OIDC_ISSUER: issuer.issuer,
  AUTH_OIDC_CLIENT_ID: CLIENT_ID,
  OPENAI_API_URL: `${fake.url}/openai`,
  OPENAI_API_KEY: 'sk-gateway-openai',
  ANTHROPIC_API_URL: `${fake.url}/anthropic`,
  ANTHROPIC_API_KEY: 'sk-gateway-anthropic',
  OLLAMA_API_URL: `${fake.url}/ollama`,
});
afterAll(() => Promise.all([fake.stop(), gw.stop(), issuer.stop()]));

const jwt = await issuer.token();
// The SDK sends its apiKey as `Authorization: Bearer <jwt>`: the natural way for a user to pass the token.
const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: jwt, maxRetries: 0 });

/** No part of anything the provider received carries the user's token (or its signature). */
function expectNoUserToken() {
  const signature = jwt.split('.')[2]!;
  expect(fake.received.length).toBeGreaterThan(0);
  for (const rec of fake.received) {
    expect(JSON.stringify({ headers: rec.headers, search: rec.search, body: rec.body })).not.toContain(signature);
  }
}

describe("with a valid token the request reaches the provider, and the user's token never does", () => {
  test('chat (bearer provider): the provider sees the gateway key, not the JWT', async () => {
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello, world');
    expect(fake.last().path).toBe('/openai/chat/completions');
    expect(fake.last().headers.authorization).toBe('Bearer sk-gateway-openai');
  });

  test('streamed chat', async () => {
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello, world');
    expect(fake.last().headers.authorization).toBe('Bearer sk-gateway-openai');
  });

  test('chat (xheader and none providers): no Authorization at all', async () => {
    await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] });
    expect(fake.last().path).toBe('/anthropic/chat/completions');
    expect(fake.last().headers['x-api-key']).toBe('sk-gateway-anthropic');
    expect(fake.last().headers.authorization).toBeUndefined();
    await client.chat.completions.create({ model: 'ollama/llama3', messages: [{ role: 'user', content: 'hi' }] });
    expect(fake.last().path).toBe('/ollama/chat/completions');
    expect(fake.last().headers.authorization).toBeUndefined();
  });

  test('models list', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list({ query: { provider: 'openai' } })) ids.push(m.id);
    expect(ids).toEqual(['openai/gpt-4o']);
    expect(fake.last().headers.authorization).toBe('Bearer sk-gateway-openai');
  });

  test('proxy', async () => {
    const res = await fetch(`${gw.url}/proxy/openai/models`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(res.status).toBe(200);
    expect(fake.last().path).toBe('/openai/models');
    expect(fake.last().headers.authorization).toBe('Bearer sk-gateway-openai');
    const ollama = await fetch(`${gw.url}/proxy/ollama/api/tags`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(ollama.status).toBe(200);
    expect(fake.last().headers.authorization).toBeUndefined();
  });

  test('across every call above, the JWT appears nowhere the provider could see', () => {
    expect(fake.received.map((r) => r.path)).toEqual([
      '/openai/chat/completions',
      '/openai/chat/completions',
      '/anthropic/chat/completions',
      '/ollama/chat/completions',
      '/openai/models',
      '/openai/models',
      '/ollama/api/tags',
    ]);
    expectNoUserToken();
  });

  test('without a token the SDK gets a 401 APIError and the provider is not called', async () => {
    const before = fake.received.length;
    const anonymous = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'not-a-jwt', maxRetries: 0 });
    const err = await anonymous.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect(fake.received.length).toBe(before);
  });
});
