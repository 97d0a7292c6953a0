import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';
import { runMain } from '../helpers/spawn-gateway.ts';

// Routing as the gateway mounts it from ROUTING_CONFIG_PATH: aliases on /v1/chat/completions and
// /v1/models, plain provider/model chats as one-deployment routes, and a reload on SIGHUP.
let primaryDown = true;
const primary = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    if (primaryDown) return Response.json({ error: { message: 'overloaded' } }, { status: 503 });
    const body = JSON.parse(rec.body) as { stream?: boolean; model: string; messages: { content: string }[] };
    if (body.messages[0]?.content === 'exact bytes') return exactStream();
    if (body.messages[0]?.content === 'one read') return new Response(EXACT_READS.join(''), { headers: { 'content-type': 'text/event-stream' } });
    return body.stream ? sseResponse(chatChunks(['from primary'], body.model)) : Response.json(chatCompletion('from primary', body.model));
  },
  'GET /models': () => Response.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' }] }),
});
const fallback = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body) as { stream?: boolean; model: string };
    return body.stream ? sseResponse(chatChunks(['from ', 'fallback'], body.model)) : Response.json(chatCompletion('from fallback', body.model));
  },
  'GET /models': () => Response.json({ object: 'list', data: [] }),
});
/** A stream in the provider's own spelling, in three reads: what a routed stream must pass on byte for byte. */
const EXACT_READS = [
  'data:{"id":"c1", "object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n' +
    'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"one"},"finish_reason":null}]}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" two"}, "finish_reason":null}]}\n\n' +
    'data:  {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" three"},"finish_reason":null}]}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
];
function exactStream(): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i > 0) await Bun.sleep(20);
      const read = EXACT_READS[i++];
      if (read === undefined) controller.close();
      else controller.enqueue(encoder.encode(read));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}
const dir = mkdtempSync(join(tmpdir(), 'routing-'));
const file = join(dir, 'routing.yaml');
const ROUTES = `models:
  smart:
    strategy: fallback
    deployments:
      - provider: openai
        model: gpt-4o
      - provider: groq
        model: llama-3.3-70b
    retries: 0
defaults: { retries: 1 }
`;
writeFileSync(file, ROUTES);
const gw = listeningGateway({
  OPENAI_API_URL: primary.url,
  OPENAI_API_KEY: 'sk-routing-primary',
  GROQ_API_URL: fallback.url,
  GROQ_API_KEY: 'gsk-routing-fallback',
  ROUTING_CONFIG_PATH: file,
  DISALLOWED_MODELS: 'blocked',
});
afterAll(() => Promise.all([gw.stop(), primary.stop(), fallback.stop()]));
const client = new OpenAI({ apiKey: 'unused', baseURL: `${gw.url}/v1`, maxRetries: 0 });

describe('routing mounted from ROUTING_CONFIG_PATH', () => {
  test('an alias fails over from a 503 primary to its fallback, which names itself', async () => {
    primaryDown = true;
    const { data, response } = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe('from fallback');
    expect(response.headers.get('x-served-by')).toBe('groq/llama-3.3-70b');
  });

  test('a streamed alias does too, through the openai SDK', async () => {
    primaryDown = true;
    const stream = await client.chat.completions.create({ model: 'smart', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('from fallback');
  });

  // Read after read (three reads), and the whole answer in one read.
  test.each(['exact bytes', 'one read'])("a routed stream passes on the provider's own bytes: %s", async (content) => {
    primaryDown = false;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', stream: true, messages: [{ role: 'user', content }] }),
    });
    expect(res.headers.get('x-served-by')).toBe('openai/gpt-4o');
    // One read holding the whole answer, `[DONE]` included, goes out as it came: no second `[DONE]`.
    expect(await res.text()).toBe(EXACT_READS.join(''));
  });

  test('a plain provider/model chat is a one-deployment route with the defaults (one retry)', async () => {
    primaryDown = true;
    const before = primary.calls('POST /v1/chat/completions').length;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    expect(primary.calls('POST /v1/chat/completions').length - before).toBe(2);
    primaryDown = false;
    const ok = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(ok.headers.get('x-served-by')).toBe('openai/gpt-4o');
  });

  test('/v1/models lists the alias, owned by the gateway and served by its providers', async () => {
    const list = (await (await fetch(`${gw.url}/v1/models`)).json()) as { data: { id: string; owned_by: string; served_by: string }[] };
    expect(list.data.find((m) => m.id === 'smart')).toMatchObject({ owned_by: 'inference-gateway', served_by: 'openai,groq' });
  });

  test('SIGHUP reloads the file; a bad file keeps the routes in force and says why', async () => {
    writeFileSync(file, ROUTES.replace('defaults:', '  blocked:\n    deployments:\n      - provider: groq\n        model: llama-3.3-70b\ndefaults:'));
    process.emit('SIGHUP', 'SIGHUP');
    const list = (await (await fetch(`${gw.url}/v1/models`)).json()) as { data: { id: string }[] };
    // The new alias exists but DISALLOWED_MODELS applies to the alias the client sent.
    expect(list.data.map((m) => m.id)).not.toContain('blocked');
    const refused = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'blocked', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(refused.status).toBe(403);
    writeFileSync(file, 'models:\n  smart:\n    deployments:\n      - provider: opnai\n        model: x\n');
    process.emit('SIGHUP', 'SIGHUP');
    expect(gw.logs.some((l) => l.includes('routing file not reloaded') && l.includes('unknown provider'))).toBe(true);
    primaryDown = true;
    const still = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] });
    expect(still.choices[0]!.message.content).toBe('from fallback');
  });
});

describe('aliases on the protocol routes fail over too', () => {
  test('/v1/messages with an alias: Anthropic SDK, streamed and not, served by the fallback', async () => {
    primaryDown = true;
    const anthropic = new Anthropic({ apiKey: 'unused', baseURL: gw.url, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'smart', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual(['from fallback']);
    const stream = anthropic.messages.stream({ model: 'smart', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect(await stream.finalText()).toBe('from fallback');
  });

  test('/v1/responses with an alias: the openai SDK, served by the fallback, x-served-by named', async () => {
    primaryDown = true;
    const { data, response } = await client.responses.create({ model: 'smart', input: 'hi' }).withResponse();
    expect(data.output_text).toBe('from fallback');
    expect(response.headers.get('x-served-by')).toBe('groq/llama-3.3-70b');
    const stream = client.responses.stream({ model: 'smart', input: 'hi' });
    expect((await stream.finalResponse()).output_text).toBe('from fallback');
  });
});

test('a bad routing file stops start-up with one line per mistake, naming the file and the key path', async () => {
  const bad = join(dir, 'bad-routing.yaml');
  writeFileSync(bad, 'models:\n  smart:\n    strategy: fastest\n    deployments:\n      - provider: opnai\n        model: x\n  empty:\n    deployments: []\n');
  const run = await runMain({ ROUTING_CONFIG_PATH: bad, OPENAI_API_KEY: 'sk-x-routing', SERVER_PORT: '0' });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('bad-routing.yaml: models.smart.strategy');
  expect(run.stderr).toContain('models.smart.deployments[0].provider: unknown provider "opnai"');
  expect(run.stderr).toContain('models.empty.deployments');
});
