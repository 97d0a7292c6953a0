import { afterAll, expect, test } from 'bun:test';
import { afterResponseSeconds, bunIdleSeconds } from '../../src/server/timeouts.ts';
import { startBinary, type RunningBinary } from '../helpers/binary.ts';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';

const enc = new TextEncoder();
// Answers that take longer than any 1 s setting could let pass (4-8 s), yet come within WINDOW.
const LATE_MS = 9500;
const fake = fakeProvider({
  'POST /chat/completions': async (_req, rec) => {
    const model: string = JSON.parse(rec.body).model;
    if (model === 'flowing') return sseResponse(chatChunks(Array.from({ length: 100 }, (_, i) => `f${i} `)), { delayMs: 100 });
    if (model === 'late') {
      await Promise.race([Bun.sleep(LATE_MS), rec.aborted]);
      return Response.json(chatCompletion('late but fine'));
    }
    // 'stalls': one chunk, then silence until the gateway lets go.
    return new Response(
      new ReadableStream({
        async start(c) {
          c.enqueue(enc.encode(chatChunks(['s0 '])[0]!));
          await Promise.race([Bun.sleep(30_000), rec.aborted]);
          c.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  },
  'GET /late': async (_req, rec) => {
    await Promise.race([Bun.sleep(LATE_MS), rec.aborted]);
    return Response.json({ late: true });
  },
});
const running: RunningBinary[] = [];
afterAll(async () => {
  for (const b of running) b.proc.kill('SIGKILL');
  await fake.stop();
});

// Bun checks idle timers every 4 s and the gateway adds 4 s so nothing is cut early: a 1 s setting
// cuts after 4-8 s of silence. Whatever is still open after WINDOW was not cut by that setting.
const WINDOW = 11_000;
const upstreamOnly = { OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-timeouts', CLIENT_TIMEOUT: '60s', CLIENT_RESPONSE_HEADER_TIMEOUT: '60s' };

const chat = (b: RunningBinary, model: string, stream: boolean) =>
  fetch(`${b.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: `openai/${model}`, messages: [{ role: 'user', content: 'hi' }], stream }),
  });

/** Reads a streamed chat; `cutAfter` is ms from the first chunk to a cut, undefined when still open or ended. */
async function watchStream(b: RunningBinary, model: string) {
  const reader = (await chat(b, model, true)).body!.getReader();
  let text = new TextDecoder().decode((await reader.read()).value);
  const first = performance.now();
  const deadline = Bun.sleep(WINDOW).then(() => 'open' as const);
  for (;;) {
    const next = await Promise.race([reader.read().catch(() => 'cut' as const), deadline]);
    if (next === 'open' || next === 'cut') {
      if (next === 'open') void reader.cancel().catch(() => {});
      return { text, state: next, after: performance.now() - first };
    }
    if (next.done) return { text, state: 'ended' as const, after: performance.now() - first };
    text += new TextDecoder().decode(next.value);
  }
}

/** Sends raw bytes and reports when (if within WINDOW) the server closed the connection, and what it sent. */
async function watchRaw(b: RunningBinary, bytes: string) {
  let data = '';
  const closed = Promise.withResolvers<number>();
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port: b.port,
    socket: {
      data: (_s, d) => void (data += d.toString()),
      close: () => closed.resolve(performance.now()),
      error: () => closed.resolve(performance.now()),
    },
  });
  const sent = performance.now();
  if (bytes) socket.write(bytes);
  const result = await Promise.race([closed.promise.then((at) => at - sent), Bun.sleep(WINDOW).then(() => undefined)]);
  socket.end();
  return { closedAfter: result, data };
}

async function watchAnswer(p: Promise<Response>) {
  return p.then(
    async (res) => ({ status: res.status, body: await res.text() }),
    (err: unknown) => ({ status: 0, body: String(err) }),
  );
}

const afterHealth = 'GET /health HTTP/1.1\r\nhost: gw\r\n\r\n';
const afterError = 'POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: 3\r\n\r\n{{{';
const stalledUpload = 'POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"model":';

test('SERVER_READ/WRITE/IDLE_TIMEOUT bound pauses, each in its own phase; a flowing stream is never cut', async () => {
  const long = '60s';
  const [x, y, z] = await Promise.all([
    startBinary({ ...upstreamOnly, SERVER_READ_TIMEOUT: '1s', SERVER_WRITE_TIMEOUT: '1s', SERVER_IDLE_TIMEOUT: long }),
    startBinary({ ...upstreamOnly, SERVER_READ_TIMEOUT: long, SERVER_WRITE_TIMEOUT: long, SERVER_IDLE_TIMEOUT: long }),
    startBinary({ ...upstreamOnly, SERVER_READ_TIMEOUT: long, SERVER_WRITE_TIMEOUT: long, SERVER_IDLE_TIMEOUT: '1s' }),
  ]);
  running.push(x, y, z);
  const [xFlowing, xStall, yStall, xUpload, yUpload, xLate, xLateGet, xAfterHealth, yAfterHealth, zAfterHealth, xAfterError] =
    await Promise.all([
      watchStream(x, 'flowing'),
      watchStream(x, 'stalls'),
      watchStream(y, 'stalls'),
      watchRaw(x, stalledUpload),
      watchRaw(y, stalledUpload),
      watchAnswer(chat(x, 'late', false)),
      watchAnswer(fetch(`${x.url}/proxy/openai/late`)),
      watchRaw(x, afterHealth),
      watchRaw(y, afterHealth),
      watchRaw(z, afterHealth),
      watchRaw(x, afterError),
    ]);

  // WRITE: a 10 s stream with 100 ms gaps outlives a 1 s write timeout; a stalled one does not.
  expect(xFlowing.state).toBe('ended');
  expect(xFlowing.text).toContain('f99 ');
  expect(xFlowing.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  expect(xStall.state).toBe('cut');
  expect(xStall.after).toBeGreaterThan(1000);
  expect(yStall.state).toBe('open');

  // READ: an upload that stops is dropped without a response.
  expect(xUpload.closedAfter).toBeGreaterThan(1000);
  expect(xUpload.data).toBe('');
  expect(yUpload.closedAfter).toBeUndefined();

  // The wait for an answer is the upstream deadlines' business (504), not a server timeout's.
  expect(xLate.status).toBe(200);
  expect(xLate.body).toContain('late but fine');
  expect(xLateGet).toEqual({ status: 200, body: '{"late":true}' });

  // IDLE (and WRITE, the shorter wins): a kept-alive connection left idle after a response, an error too.
  expect(zAfterHealth.data).toStartWith('HTTP/1.1 200');
  expect(zAfterHealth.closedAfter).toBeGreaterThan(1000);
  expect(xAfterHealth.closedAfter).toBeGreaterThan(1000);
  expect(xAfterError.data).toStartWith('HTTP/1.1 400');
  expect(xAfterError.closedAfter).toBeGreaterThan(1000);
  expect(yAfterHealth.data).toStartWith('HTTP/1.1 200');
  expect(yAfterHealth.closedAfter).toBeUndefined();
}, 40_000);

test('settings become Bun seconds that never cut early: +4 s for its 4 s sweep, 0 (none) past its 255 s', () => {
  expect([0, 1, 1000, 1001, 30_000, 251_000, 252_000].map(bunIdleSeconds)).toEqual([0, 5, 5, 6, 34, 255, 0]);
  const t = (write: number, idle: number) => afterResponseSeconds({ readTimeoutMs: 1000, writeTimeoutMs: write, idleTimeoutMs: idle });
  expect([t(30_000, 120_000), t(120_000, 5000), t(0, 5000), t(5000, 0), t(0, 0)]).toEqual([34, 9, 9, 9, 0]);
});
