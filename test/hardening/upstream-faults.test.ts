import { afterAll, describe, expect, test } from 'bun:test';
import { chatChunks, fakeProvider, sseData } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';
import { rawUpstream } from '../helpers/raw-upstream.ts';

const enc = new TextEncoder();
const sse = (text: string) => new Response(enc.encode(text), { headers: { 'content-type': 'text/event-stream' } });
const [firstChunk] = chatChunks(['ok']);

const fake = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    switch (JSON.parse(rec.body).model) {
      case 'malformed-event':
        return sse(`${firstChunk}data: {"choices": [\n\ndata: [DONE]\n\n`);
      case 'cut-mid-event':
        return sse(`${firstChunk}data: {"id":"x","choi`);
      case 'last-event-without-blank-line':
        return sse(`${firstChunk}data: [DONE]`);
      case 'crlf-events':
        return sse(`${firstChunk!.replaceAll('\n', '\r\n')}data: [DONE]\r\n\r\n`);
      case 'huge-json': {
        // 70 MB: more than the gateway holds for a non-streamed answer.
        const chunk = enc.encode(' '.repeat(1 << 20));
        let sent = 0;
        return new Response(
          new ReadableStream({
            pull(c) {
              if (sent++ >= 70) return c.close();
              c.enqueue(chunk);
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        );
      }
      case 'endless-event': {
        // One event that never ends: the gateway must not hold it in memory forever.
        const chunk = enc.encode('x'.repeat(64 * 1024));
        let first = true;
        return new Response(
          new ReadableStream({
            pull(c) {
              c.enqueue(first ? enc.encode('data: {"a":"') : chunk);
              first = false;
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        );
      }
      default:
        return sse(`${firstChunk}data: [DONE]\n\n`);
    }
  },
});
const dropsConnection = rawUpstream((_w, end) => end());
const garbage = rawUpstream((write, end) => {
  write('this is not HTTP at all\r\n\r\n');
  end();
});
const headersThenReset = rawUpstream((write, end) => {
  write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n');
  const event = `${firstChunk}`;
  write(`${event.length.toString(16)}\r\n${event}\r\n`);
  setTimeout(end, 20);
});

const gw = listeningGateway({
  OPENAI_API_URL: fake.url,
  OPENAI_API_KEY: 'sk-faults',
  GROQ_API_URL: dropsConnection.url,
  GROQ_API_KEY: 'gsk',
  DEEPSEEK_API_URL: garbage.url,
  DEEPSEEK_API_KEY: 'dk',
  MOONSHOT_API_URL: headersThenReset.url,
  MOONSHOT_API_KEY: 'mk',
});
afterAll(async () => {
  await Promise.all([fake.stop(), gw.stop()]);
  for (const r of [dropsConnection, garbage, headersThenReset]) r.stop();
});

const chat = (model: string, stream = true) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
  });

function lastError(data: string[]): string {
  return (JSON.parse(data.at(-1)!) as { error: string }).error;
}

describe('broken upstream streams end with one error event, never a bare [DONE]', () => {
  test('a malformed event is dropped, logged and the stream goes on to its end', async () => {
    const text = await (await chat('openai/malformed-event')).text();
    expect(text).toBe(`${firstChunk}data: [DONE]\n\n`);
    const line = gw.logs.find((l) => l.includes('malformed stream event dropped'));
    expect(JSON.parse(line!)).toMatchObject({ level: 'warn', provider: 'openai', error_code: 'upstream_invalid' });
  });

  test('a stream cut in the middle of an event ends with one error event after the last whole one', async () => {
    const res = await chat('openai/cut-mid-event');
    const text = await res.text();
    expect(text).toBe(`${firstChunk}data: {"error":"Upstream connection lost during the stream"}\n\n`);
  });

  test('a last event without its blank line is still complete', async () => {
    const data = await sseData(await chat('openai/last-event-without-blank-line'));
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
  });

  test('CRLF line endings are understood', async () => {
    const text = await (await chat('openai/crlf-events')).text();
    expect(text).toContain('[DONE]');
    expect(text).not.toContain('"error"');
  });

  test('an event that never ends is cut off at a bound, not held forever', async () => {
    const data = await sseData(await chat('openai/endless-event'));
    expect(lastError(data)).toBe('Provider sent a malformed stream event');
  });

  test('headers, one chunk, then a reset', async () => {
    const data = await sseData(await chat('moonshot/kimi'));
    expect(data[0]).toContain('"ok"');
    expect(data.at(-1)).toContain('"error"');
    expect(data).not.toContain('[DONE]');
  });
});

describe('broken upstream answers become clear errors', () => {
  test('a connection closed before any answer → 502', async () => {
    const res = await chat('groq/llama', false);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'Failed to reach upstream server' });
  });

  test('bytes that are not HTTP → 502', async () => {
    const res = await chat('deepseek/chat', false);
    expect(res.status).toBe(502);
    expect(await res.json()).toHaveProperty('error');
  });

  test('a non-streamed answer too large to hold → 502, and the gateway stays healthy', async () => {
    const res = await chat('openai/huge-json', false);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'Upstream response is too large' });
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });
});
