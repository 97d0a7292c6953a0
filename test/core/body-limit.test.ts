import { afterAll, describe, expect, test } from 'bun:test';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { listeningGateway, testGateway } from '../helpers/gateway.ts';

const upstream = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('ok')), 'POST /files': () => Response.json({ ok: true }) });
const env = { OPENAI_API_URL: upstream.url, OPENAI_API_KEY: 'sk-x', SERVER_MAX_BODY_SIZE: '2048' };
const gw = testGateway(env);
const live = listeningGateway(env);
afterAll(() => Promise.all([upstream.stop(), live.stop()]));

const big = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(4096) }] });

describe('request bodies are capped before anything goes upstream', () => {
  test('declared Content-Length over the limit → 413', async () => {
    const res = await fetch(`${live.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'Request body too large' });
  });

  test('a chunked body over the limit → 413', async () => {
    const enc = new TextEncoder();
    const body = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(enc.encode(big.slice(i * 600, (i + 1) * 600)));
        c.close();
      },
    });
    const res = await gw.req('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
  });

  test('proxy bodies are capped too', async () => {
    const res = await fetch(`${live.url}/proxy/openai/files`, { method: 'POST', body: 'y'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(upstream.received).toHaveLength(0);
  });

  test('a chunked body under the limit passes, its UTF-8 intact (split mid-character across chunks)', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'héllo 世界' }] }));
    const cut = bytes.indexOf(0xe4) + 1; // inside the three bytes of 世
    const body = new ReadableStream({
      start(c) {
        c.enqueue(bytes.slice(0, cut));
        c.enqueue(bytes.slice(cut));
        c.close();
      },
    });
    const res = await fetch(`${live.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    expect(JSON.parse(upstream.last().body).messages[0].content).toBe('héllo 世界');
  });

  test('a body under the limit passes', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'small' }] });
    expect(res.status).toBe(200);
  });
});
