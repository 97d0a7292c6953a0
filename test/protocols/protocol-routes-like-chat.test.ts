/**
 * The protocol routes get what chat gets: body limits, model policy, vision rules, provider errors with
 * their status, a log line with the route, client aborts reaching the provider, stalls ending the stream
 * with the protocol's own failure event.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { jsonHeaders, listeningGateway, testGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({
  'POST /chat/completions': async (_req, rec) => {
    const body = JSON.parse(rec.body) as { stream?: boolean; messages: { content: unknown }[] };
    const text = JSON.stringify(body.messages);
    if (text.includes('rate me')) return Response.json({ error: { message: 'Rate limit reached' } }, { status: 429, headers: { 'retry-after': '7' } });
    if (text.includes('hang')) {
      await Promise.race([rec.aborted, Bun.sleep(10_000)]);
      return sseResponse(chatChunks(['late']));
    }
    if (text.includes('stall')) {
      // One chunk at once, then silence until the gateway gives up.
      const first = new TextEncoder().encode(chatChunks(['first'])[0]);
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(first);
          await Promise.race([rec.aborted, Bun.sleep(5000)]);
          controller.close();
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    }
    const overloaded = 'data: {"error":{"message":"model overloaded"}}\n\n';
    if (text.includes('error event')) return sseResponse([chatChunks(['half'])[0] ?? '', overloaded], { done: false, delayMs: 30 });
    if (text.includes('early error')) return sseResponse([chatChunks([''])[0] ?? '', overloaded], { done: false });
    // Asked for a stream, answers whole (some providers do for some models).
    if (text.includes('whole')) return Response.json(chatCompletion('all at once'));
    return body.stream ? sseResponse(chatChunks(['ok'])) : Response.json(chatCompletion('ok'));
  },
});
const env = { GROQ_API_URL: fake.url, GROQ_API_KEY: 'gsk-like-chat', SERVER_MAX_BODY_SIZE: '4096', DISALLOWED_MODELS: 'groq/banned', CLIENT_TIMEOUT: '300ms' };
const gw = testGateway(env);
const live = listeningGateway({ ...env, CLIENT_TIMEOUT: '20s' });
afterAll(() => Promise.all([fake.stop(), live.stop()]));

const messages = (content: unknown) => ({ model: 'groq/llama', max_tokens: 5, messages: [{ role: 'user', content }] });
const responses = (input: unknown) => ({ model: 'groq/llama', input });
const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

describe('refusals, in each protocol’s error shape', () => {
  test('a body over SERVER_MAX_BODY_SIZE → 413', async () => {
    const big = 'x'.repeat(5000);
    const m = await gw.post('/v1/messages', messages(big));
    expect([m.status, await m.json()]).toEqual([413, anthropicError('request_too_large', 'Request body too large')]);
    const r = await gw.post('/v1/responses', responses(big));
    expect([r.status, await r.json()]).toEqual([413, { error: 'Request body too large' }]);
  });

  test('DISALLOWED_MODELS → 403', async () => {
    const m = await gw.post('/v1/messages', { ...messages('hi'), model: 'groq/banned' });
    expect([m.status, await m.json()]).toEqual([403, anthropicError('permission_error', 'Model is disallowed. Please use a different model.')]);
    const e = await gw.post('/v1/embeddings', { model: 'groq/banned', input: 'x' });
    expect(e.status).toBe(403);
  });

  test('images while ENABLE_VISION is off → 400', async () => {
    const img = [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }];
    const m = await gw.post('/v1/messages', messages(img));
    expect([m.status, await m.json()]).toEqual([400, anthropicError('invalid_request_error', 'Image inputs are disabled on this gateway. Set ENABLE_VISION=true to enable them.')]);
    const r = await gw.post('/v1/responses', responses([{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }]));
    expect(r.status).toBe(400);
  });

  test('a provider error keeps its status, message and Retry-After', async () => {
    const m = await gw.post('/v1/messages', messages('rate me'));
    expect(m.status).toBe(429);
    expect(m.headers.get('retry-after')).toBe('7');
    expect(await m.json()).toEqual(anthropicError('rate_limit_error', expect.stringContaining('Rate limit reached')));
    const r = await gw.post('/v1/responses', responses('rate me'));
    expect(r.status).toBe(429);
  });

  test('an unknown route under /v1/messages is Anthropic-shaped, elsewhere the spec’s', async () => {
    const m = await gw.post('/v1/messages/batches', {});
    expect([m.status, await m.json()]).toEqual([404, anthropicError('not_found_error', 'Requested route is not found')]);
    expect(await (await gw.post('/v1/nothing', {})).json()).toEqual({ error: 'Requested route is not found' });
  });
});

describe('telemetry and the stream’s life', () => {
  test('one log line per request with the route, provider, model and tokens', async () => {
    await gw.post('/v1/messages', messages('hi'), { headers: { ...jsonHeaders, 'x-request-id': 'msg-log-1' } });
    await gw.post('/v1/responses', responses('hi'), { headers: { ...jsonHeaders, 'x-request-id': 'resp-log-1' } });
    const lines = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.request_id === id);
        if (line) return line;
        await Bun.sleep(5);
      }
      return undefined;
    };
    expect(await lines('msg-log-1')).toMatchObject({ route: '/v1/messages', status: 200, provider: 'groq', model: 'llama', input_tokens: 5, output_tokens: 7 });
    expect(await lines('resp-log-1')).toMatchObject({ route: '/v1/responses', status: 200, provider: 'groq', model: 'llama' });
  });

  test('a stall past CLIENT_TIMEOUT ends the stream with the protocol’s failure event', async () => {
    const m = await gw.post('/v1/messages', { ...messages('stall'), stream: true });
    const text = await m.text();
    expect(text).toContain('"text":"first"');
    expect(text.trimEnd().split('\n\n').at(-1)).toStartWith('event: error\ndata: {"type":"error","error":{"type":"api_error"');
    const r = await gw.post('/v1/responses', { ...responses('stall'), stream: true });
    expect((await r.text()).trimEnd().split('\n\n').at(-1)).toStartWith('event: response.failed\n');
  });

  test('a provider error event mid-stream ends the stream with the protocol’s failure, carrying its message', async () => {
    const m = await (await gw.post('/v1/messages', { ...messages('error event'), stream: true })).text();
    expect(m.trimEnd().split('\n\n').at(-1)).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"model overloaded"}}');
    const r = await (await gw.post('/v1/responses', { ...responses('error event'), stream: true })).text();
    const last = r.trimEnd().split('\n\n').at(-1) ?? '';
    expect(last).toStartWith('event: response.failed\n');
    expect(JSON.parse(last.split('data: ')[1] ?? '{}').response.error).toEqual({ code: 'server_error', message: 'model overloaded' });
  });

  test('a failure before any content is an HTTP error, not a stream', async () => {
    const m = await gw.post('/v1/messages', { ...messages('early error'), stream: true });
    expect([m.status, m.headers.get('content-type'), await m.json()]).toEqual([502, 'application/json', anthropicError('api_error', 'model overloaded')]);
    const r = await gw.post('/v1/responses', { ...responses('early error'), stream: true });
    expect([r.status, await r.json()]).toEqual([502, { error: 'model overloaded' }]);
  });

  test('a provider that answers a stream request whole still gives the client a stream', async () => {
    const m = await (await gw.post('/v1/messages', { ...messages('whole'), stream: true })).text();
    expect(m).toContain('"text_delta","text":"all at once"');
    expect(m).toEndWith('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    const r = await (await gw.post('/v1/responses', { ...responses('whole'), stream: true })).text();
    expect(r).toContain('"delta":"all at once"');
    expect(r.trimEnd().split('\n\n').at(-1)).toStartWith('event: response.completed\n');
  });

  test.each(['/v1/messages', '/v1/responses'])('a client hanging up on %s aborts the provider call', async (path) => {
    const before = fake.received.length;
    const controller = new AbortController();
    const body = path === '/v1/messages' ? { ...messages('hang'), stream: true } : { ...responses('hang'), stream: true };
    const pending = fetch(`${live.url}${path}`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body), signal: controller.signal }).catch(() => undefined);
    while (fake.received.length === before) await Bun.sleep(5);
    await Bun.sleep(50);
    controller.abort();
    await pending;
    const rec = fake.received.at(-1);
    await Promise.race([rec?.aborted, Bun.sleep(3000)]);
    expect(rec?.wasAborted()).toBe(true);
  });
});
