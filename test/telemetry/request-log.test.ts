import { afterAll, describe, expect, test } from 'bun:test';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({
  'POST /chat/completions': (_req, rec) =>
    (JSON.parse(rec.body) as { stream?: boolean }).stream ? sseResponse(chatChunks(['hello', ' there'])) : Response.json(chatCompletion('hello there')),
});
afterAll(() => fake.stop());
const gw = testGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-log-secret' });

function requestLines(logs: string[]) {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
}

/** The request's line; Elysia runs after-response hooks once the response is handed over, so poll briefly. */
async function lineFor(logs: string[], id: string | null) {
  for (let i = 0; i < 100; i++) {
    const line = requestLines(logs).find((l) => l.request_id === id);
    if (line) return line;
    await Bun.sleep(5);
  }
  return undefined;
}

describe('request ids and one log line per request', () => {
  test('a safe X-Request-Id is kept, returned and logged', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'private words' }] }, {
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-abc.123' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    const line = await lineFor(gw.logs, 'trace-abc.123');
    expect(line).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      provider: 'openai',
      model: 'gpt-4o',
      stream: false,
      input_tokens: 5,
      output_tokens: 7,
    });
    expect(typeof line?.duration_ms).toBe('number');
    expect(typeof line?.time).toBe('string');
  });

  test('a streamed chat carries the id once and logs its line when the stream ends', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }, {
      headers: { 'content-type': 'application/json', 'x-request-id': 'stream-id-1' },
    });
    expect(res.headers.get('x-request-id')).toBe('stream-id-1');
    expect([...res.headers].filter(([name]) => name === 'x-request-id')).toHaveLength(1);
    expect(await res.text()).toEndWith('data: [DONE]\n\n');
    expect(await lineFor(gw.logs, 'stream-id-1')).toMatchObject({ status: 200, stream: true, route: '/v1/chat/completions' });
  });

  test('an unsafe id is replaced by a generated one; none given → generated', async () => {
    const bad = await gw.req('/health', { headers: { 'x-request-id': 'has spaces and "quotes"' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const none = await gw.req('/health');
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers.get('x-request-id')).not.toBe(bad.headers.get('x-request-id'));
  });

  test('errors get their line with the status; message contents and keys never appear at info level', async () => {
    const res = await gw.post('/v1/chat/completions', { model: 'nowhere', messages: [{ role: 'user', content: 'private words' }] });
    const id = res.headers.get('x-request-id');
    const line = await lineFor(gw.logs, id);
    expect(line).toMatchObject({ status: 400, route: '/v1/chat/completions' });
    const infoText = gw.logs.filter((l) => !l.includes('"level":"debug"')).join('');
    expect(infoText).not.toContain('private words');
    expect(gw.logs.join('')).not.toContain('sk-log-secret');
  });
});
