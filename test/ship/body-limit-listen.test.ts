/**
 * The body limit on the real listener (main.ts → serve()), over a raw socket: a declared Content-Length
 * far past SERVER_MAX_BODY_SIZE, and a chunked body past it, both get the spec's JSON 413, and nothing
 * reaches the provider. Bun's own request-size cap answered the first with an empty 413.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import type { Socket } from 'bun';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { spawnGateway } from '../helpers/spawn-gateway.ts';

const MiB = 1024 * 1024;
const provider = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('ok')), 'POST *': () => Response.json({ ok: true }) });
const gw = await spawnGateway({ OPENAI_API_URL: provider.url, OPENAI_API_KEY: 'sk-limit' });
afterAll(() => Promise.all([gw.stop(), provider.stop()]));

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses the first response on the wire once its whole body (by Content-Length) has arrived. */
function parseAnswer(bytes: Buffer): Answer | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const length = Number(headers['content-length'] ?? 0);
  if (bytes.length < end + 4 + length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: bytes.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/**
 * Sends `head`, then `body` pieces as the socket takes them (stopping once an answer arrives), and
 * returns the answer; fails after 10 s.
 */
async function exchange(head: string, pieces: Iterable<Uint8Array>): Promise<Answer> {
  let received = Buffer.alloc(0);
  let answer: Answer | undefined;
  const settled = Promise.withResolvers<void>();
  let drained = Promise.withResolvers<void>();
  const socket: Socket<undefined> = await Bun.connect({
    hostname: '127.0.0.1',
    port: gw.port,
    socket: {
      data(_s, data) {
        received = Buffer.concat([received, data]);
        answer ??= parseAnswer(received);
        if (answer) settled.resolve();
      },
      drain() {
        drained.resolve();
      },
      close() {
        settled.resolve();
        drained.resolve();
      },
      error() {
        settled.resolve();
      },
    },
  });
  const deadline = setTimeout(() => settled.resolve(), 10_000);
  const write = async (bytes: Uint8Array) => {
    let rest = bytes;
    while (rest.length > 0 && !answer) {
      const n = socket.write(rest);
      rest = rest.subarray(Math.max(n, 0));
      if (rest.length > 0) {
        drained = Promise.withResolvers<void>();
        await Promise.race([drained.promise, settled.promise]);
      }
    }
  };
  await write(new TextEncoder().encode(head));
  for (const piece of pieces) {
    if (answer) break;
    await write(piece);
  }
  await settled.promise;
  clearTimeout(deadline);
  socket.end();
  if (!answer) throw new Error(`no complete answer; got ${JSON.stringify(received.toString('latin1').slice(0, 300))}`);
  return answer;
}

function* filler(total: number, size = 64 * 1024): Generator<Uint8Array> {
  const chunk = new Uint8Array(size).fill(0x61);
  for (let sent = 0; sent < total; sent += size) yield chunk.subarray(0, Math.min(size, total - sent));
}

function* chunked(total: number): Generator<Uint8Array> {
  const enc = new TextEncoder();
  for (const piece of filler(total)) {
    yield enc.encode(`${piece.length.toString(16)}\r\n`);
    yield piece;
    yield enc.encode('\r\n');
  }
  yield enc.encode('0\r\n\r\n');
}

const chatHead = (framing: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${gw.port}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`;

describe('a body over SERVER_MAX_BODY_SIZE gets the JSON 413 on the real listener', () => {
  test('Content-Length of 11 MiB + 1 while the body streams in: 413 {"error":"Request body too large"}, nothing upstream', async () => {
    // The first MiB is all a client sends before it sees the answer; the rest never has to be read.
    const answer = await exchange(chatHead(`content-length: ${11 * MiB + 1}`), filler(MiB));
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toStartWith('application/json');
    expect(JSON.parse(answer.body)).toEqual({ error: 'Request body too large' });
    expect(provider.received).toHaveLength(0);
  });

  test('a declared length far past any limit (1 TiB) is answered the same way', async () => {
    const answer = await exchange(chatHead(`content-length: ${1024 * 1024 * MiB}`), filler(64 * 1024));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Request body too large' });
    expect(provider.received).toHaveLength(0);
  });

  test('a chunked body past 10 MiB: 413 with the same body, nothing upstream', async () => {
    const answer = await exchange(chatHead('transfer-encoding: chunked'), chunked(10 * MiB + 128 * 1024));
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toStartWith('application/json');
    expect(JSON.parse(answer.body)).toEqual({ error: 'Request body too large' });
    expect(provider.received).toHaveLength(0);
  });

  test('the proxy answers an over-limit Content-Length the same way', async () => {
    const head = `POST /proxy/openai/files HTTP/1.1\r\nhost: 127.0.0.1:${gw.port}\r\ncontent-length: ${11 * MiB + 1}\r\n\r\n`;
    const answer = await exchange(head, filler(MiB));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Request body too large' });
    expect(provider.received).toHaveLength(0);
  });

  test('a body within the limit still reaches the provider', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(MiB) }] }),
    });
    expect(res.status).toBe(200);
    expect(provider.received).toHaveLength(1);
    expect(provider.last().headers.authorization).toBe('Bearer sk-limit');
  });
});
