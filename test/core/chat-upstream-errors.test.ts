import { afterAll, describe, expect, test } from 'bun:test';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const upstream = fakeProvider({
  'POST /chat/completions': async (_req, rec) => {
    const model: string = JSON.parse(rec.body).model;
    switch (model) {
      case 'bad-key':
        return Response.json({ error: { message: 'Incorrect API key provided: sk-upstream-secret', type: 'invalid_request_error' } }, { status: 401 });
      case 'rate-limited':
        return Response.json({ error: { message: 'Rate limit reached' } }, { status: 429, headers: { 'retry-after': '7' } });
      case 'anthropic-style':
        return Response.json({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { status: 529 });
      case 'plain-text-500':
        return new Response('upstream exploded', { status: 500 });
      case 'not-json':
        return new Response('<html>hello</html>', { status: 200, headers: { 'content-type': 'text/html' } });
      case 'slow-headers':
        await Bun.sleep(1500);
        return Response.json(chatCompletion('late'));
      case 'slow-body': {
        const enc = new TextEncoder();
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode('{"id":"x",'));
              await Bun.sleep(1500);
              c.enqueue(enc.encode('"object":"chat.completion"}'));
              c.close();
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        );
      }
      case 'redirect':
        return new Response(null, { status: 302, headers: { location: 'http://169.254.169.254/' } });
      default:
        return Response.json(chatCompletion('ok'));
    }
  },
});
afterAll(() => upstream.stop());

const gw = testGateway({
  OPENAI_API_URL: upstream.url,
  OPENAI_API_KEY: 'sk-upstream-secret',
  CLIENT_RESPONSE_HEADER_TIMEOUT: '300ms',
  CLIENT_TIMEOUT: '600ms',
  DEEPSEEK_API_URL: 'http://127.0.0.1:1',
  DEEPSEEK_API_KEY: 'sk-deepseek',
});
const chat = (model: string, provider = 'openai') => gw.post('/v1/chat/completions', { model: `${provider}/${model}`, messages: [{ role: 'user', content: 'hi' }] });

describe('upstream failures become clear errors', () => {
  test('upstream 4xx keeps its status and a readable message, with the key never echoed', async () => {
    const res = await chat('bad-key');
    expect(res.status).toBe(401);
    const { error } = (await res.json()) as { error: string };
    expect(error).toBe('Provider openai returned an error (401): Incorrect API key provided: [REDACTED]');
  });

  test('429 passes through with Retry-After', async () => {
    const res = await chat('rate-limited');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { error: string }).error).toContain('Rate limit reached');
  });

  test('other error shapes are read too (anthropic-style, plain text)', async () => {
    const a = await chat('anthropic-style');
    expect(a.status).toBe(529);
    expect(((await a.json()) as { error: string }).error).toContain('Overloaded');
    const b = await chat('plain-text-500');
    expect(b.status).toBe(500);
    expect(((await b.json()) as { error: string }).error).toContain('upstream exploded');
  });

  test('a 2xx answer that is not JSON is 502', async () => {
    const res = await chat('not-json');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toContain('not valid JSON');
  });

  test('headers later than CLIENT_RESPONSE_HEADER_TIMEOUT → 504 Request timed out', async () => {
    const res = await chat('slow-headers');
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: 'Request timed out' });
  });

  test('a non-streamed body slower than CLIENT_TIMEOUT → 504', async () => {
    const res = await chat('slow-body');
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ error: 'Request timed out' });
  });

  test('an unreachable provider → 502 Failed to reach upstream server', async () => {
    const res = await chat('deepseek-chat', 'deepseek');
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'Failed to reach upstream server' });
  });

  test('redirects are never followed', async () => {
    const res = await chat('redirect');
    expect(res.status).toBe(502);
    expect(upstream.received.filter((r) => r.path !== '/v1/chat/completions')).toEqual([]);
  });

  test('the gateway keeps serving after all of that', async () => {
    expect((await chat('fine')).status).toBe(200);
  });
});
