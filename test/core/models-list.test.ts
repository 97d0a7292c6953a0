import { afterAll, describe, expect, test } from 'bun:test';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const openai = fakeProvider({
  'GET /models': () =>
    Response.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1686935002, owned_by: 'system' }, { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] }),
});
const groq = fakeProvider({ 'GET /models': () => Response.json({ object: 'list', data: [{ id: 'llama-3.3-70b-versatile', object: 'model', created: 1733447754, owned_by: 'Meta' }] }) }, '/openai/v1');
const broken = fakeProvider({ 'GET /models': () => new Response('nope', { status: 500 }) });
const hanging = fakeProvider({ 'GET /models': async () => { await Bun.sleep(5000); return Response.json({ data: [] }); } });
afterAll(() => Promise.all([openai, groq, broken, hanging].map((f) => f.stop())));

const gw = testGateway({
  OPENAI_API_URL: openai.url,
  OPENAI_API_KEY: 'sk-o',
  GROQ_API_URL: groq.url,
  GROQ_API_KEY: 'gsk',
  MISTRAL_API_URL: broken.url,
  MISTRAL_API_KEY: 'mk',
  DEEPSEEK_API_URL: hanging.url,
  DEEPSEEK_API_KEY: 'dk',
  MODELS_LIST_TIMEOUT: '400ms',
});

interface List {
  provider?: string;
  object: string;
  data: { id: string; served_by: string; owned_by: string; created: number; object: string }[];
}

describe('GET /v1/models', () => {
  test('aggregates every usable provider within the deadline; failing and slow ones are left out and logged', async () => {
    const started = performance.now();
    const res = await gw.req('/v1/models');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(200);
    const body = (await res.json()) as List;
    expect(body.object).toBe('list');
    expect(body.provider).toBeUndefined();
    expect(body.data.map((m) => m.id).sort()).toEqual(['groq/llama-3.3-70b-versatile', 'openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(body.data.find((m) => m.id === 'openai/gpt-4o')).toEqual({ id: 'openai/gpt-4o', object: 'model', created: 1686935002, owned_by: 'system', served_by: 'openai' });
    const warned = gw.logs.filter((l) => l.includes('model list failed')).join('\n');
    expect(warned).toContain('"provider":"mistral"');
    expect(warned).toContain('"provider":"deepseek"');
  });

  test('?provider= lists one provider with the provider field', async () => {
    const body = (await (await gw.req('/v1/models?provider=groq')).json()) as List;
    expect(body).toEqual({ provider: 'groq', object: 'list', data: [{ id: 'groq/llama-3.3-70b-versatile', object: 'model', created: 1733447754, owned_by: 'Meta', served_by: 'groq' }] });
    expect(groq.last().headers.authorization).toBe('Bearer gsk');
  });

  test('an unknown provider is 400; a failing one is 502', async () => {
    const unknown = await gw.req('/v1/models?provider=nope');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'Provider not found. Please check the list of supported providers.' });
    const failing = await gw.req('/v1/models?provider=mistral');
    expect(failing.status).toBe(502);
    expect(await failing.json()).toEqual({ error: 'Failed to list models' });
  });

  test('data is an empty list, never null, when nothing answers', async () => {
    const empty = testGateway({ OLLAMA_API_URL: 'http://127.0.0.1:1/v1' });
    expect(await (await empty.req('/v1/models')).json()).toEqual({ object: 'list', data: [] });
  });
});
