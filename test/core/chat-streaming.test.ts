import { afterAll, describe, expect, test } from 'bun:test';
import { chatChunks, fakeProvider, sseData, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const enc = new TextEncoder();
let releaseGate: () => void = () => {};

const upstream = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const model: string = JSON.parse(rec.body).model;
    switch (model) {
      case 'gated': {
        // First chunk now; the rest only when the test has seen the first one arrive.
        const gate = new Promise<void>((r) => (releaseGate = r));
        const [first, ...rest] = chatChunks(['Hel', 'lo']);
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode(first!));
              await gate;
              for (const e of rest) c.enqueue(enc.encode(e));
              c.enqueue(enc.encode('data: [DONE]\n\n'));
              c.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }
      case 'endless':
        return sseResponse(chatChunks(Array.from({ length: 10_000 }, (_, i) => `t${i} `)), { delayMs: 20 });
      case 'long-but-flowing':
        // 12 chunks × 100 ms = 1.2 s: longer than CLIENT_TIMEOUT (500ms), never a gap longer than it.
        return sseResponse(chatChunks(Array.from({ length: 12 }, (_, i) => `${i}`)), { delayMs: 100 });
      case 'stalls':
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode(chatChunks(['a'])[0]!));
              await Bun.sleep(3000);
              c.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      case 'no-done':
        return sseResponse(chatChunks(['x']), { done: false });
      case 'reset': {
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode(chatChunks(['partial'])[0]!));
              await Bun.sleep(50);
              c.error(new Error('boom'));
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }
      default:
        return sseResponse(chatChunks(['one', 'two', 'three']));
    }
  },
});
const gw = listeningGateway({ OPENAI_API_URL: upstream.url, OPENAI_API_KEY: 'sk-stream', CLIENT_TIMEOUT: '500ms' });
afterAll(() => Promise.all([upstream.stop(), gw.stop()]));

const streamChat = (model: string, signal?: AbortSignal) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: `openai/${model}`, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    signal,
  });

function contents(data: string[]): string {
  return data
    .filter((d) => d !== '[DONE]')
    .map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
    .join('');
}

describe('streaming chats', () => {
  test('chunks arrive in order and end with exactly one [DONE]', async () => {
    const res = await streamChat('gpt-4o');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const data = await sseData(res);
    expect(contents(data)).toBe('onetwothree');
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
  });

  test('the first chunk reaches the client before the upstream has finished', async () => {
    const res = await streamChat('gated');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"Hel"');
    releaseGate();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('"lo"');
    expect(rest).toContain('[DONE]');
  });

  test('a client that disconnects aborts the upstream request', async () => {
    const controller = new AbortController();
    const res = await streamChat('endless', controller.signal);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const rec = upstream.received.at(-1)!;
    await Promise.race([rec.aborted, Bun.sleep(3000)]);
    expect(rec.wasAborted()).toBe(true);
  });

  test('a stream longer than CLIENT_TIMEOUT is never cut while it flows', async () => {
    const data = await sseData(await streamChat('long-but-flowing'));
    expect(contents(data)).toBe('01234567891011');
    expect(data.at(-1)).toBe('[DONE]');
  });

  test('a stalled stream ends with one error event and no [DONE]', async () => {
    const data = await sseData(await streamChat('stalls'));
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[1]!)).toEqual({ error: 'Upstream stream timed out' });
    expect(data).not.toContain('[DONE]');
  });

  test('an upstream reset mid-stream ends with one error event', async () => {
    const data = await sseData(await streamChat('reset'));
    expect(contents(data.slice(0, 1))).toBe('partial');
    expect(JSON.parse(data.at(-1)!)).toHaveProperty('error');
    expect(data).not.toContain('[DONE]');
  });

  test('a clean end without [DONE] gets one', async () => {
    const data = await sseData(await streamChat('no-done'));
    expect(data.at(-1)).toBe('[DONE]');
  });
});
