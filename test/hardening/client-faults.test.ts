import { afterAll, describe, expect, test } from 'bun:test';
import { connect, type Socket } from 'node:net';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const enc = new TextEncoder();
const EVENT = enc.encode(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x'.repeat(16 * 1024) } }] })}\n\n`);
let produced = 0;

const fake = fakeProvider({
  'POST /chat/completions': () => {
    produced = 0;
    // Produces only when asked: what the gateway does not pull is never made.
    return new Response(
      new ReadableStream({
        pull(c) {
          produced += EVENT.byteLength;
          c.enqueue(EVENT);
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  },
});
const gw = listeningGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-bp', CLIENT_TIMEOUT: '30s' });
afterAll(() => Promise.all([fake.stop(), gw.stop()]));
const port = Number(new URL(gw.url).port);

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('client faults', () => {
  test('a client that stops reading holds the upstream back (backpressure), and its leaving aborts it', async () => {
    const socket = await open();
    const body = JSON.stringify({ model: 'openai/endless', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let received = 0;
    socket.on('data', (d: Buffer) => {
      received += d.byteLength;
      if (received > 256 * 1024) socket.pause();
    });
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await Bun.sleep(1500);
    const stalledAt = produced;
    await Bun.sleep(500);
    // Only socket buffers fill up: a few MB at most, and nothing more once they are full.
    expect(stalledAt).toBeLessThan(48 * 1024 * 1024);
    expect(produced - stalledAt).toBeLessThan(2 * 1024 * 1024);
    socket.destroy();
    const rec = fake.last();
    await Promise.race([rec.aborted, Bun.sleep(3000)]);
    expect(rec.wasAborted()).toBe(true);
  });

  test('hundreds of idle keep-alive connections do not stop the gateway from serving', async () => {
    const idle = await Promise.all(Array.from({ length: 300 }, () => open()));
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    for (const s of idle) s.destroy();
  });

  test('a client that sends half a request body and goes away leaves the gateway serving', async () => {
    const socket = await open();
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":');
    await Bun.sleep(50);
    socket.destroy();
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });
});
