import { afterAll, describe, expect, test } from 'bun:test';
import { startBinary, type RunningBinary } from '../helpers/binary.ts';
import { chatChunks, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';

// 'slow': 20 pieces, 100 ms apart (2 s). 'endless': 100 ms apart for 30 s.
const fake = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const model: string = JSON.parse(rec.body).model;
    const count = model === 'slow' ? 20 : 300;
    return sseResponse(chatChunks(Array.from({ length: count }, (_, i) => `p${i} `), model), { delayMs: 100 });
  },
});
const running: RunningBinary[] = [];
afterAll(async () => {
  for (const b of running) b.proc.kill('SIGKILL');
  await fake.stop();
});

async function gateway(env: Record<string, string> = {}): Promise<RunningBinary> {
  const b = await startBinary({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-drain', ...env });
  running.push(b);
  return b;
}

/** Starts a streamed chat and resolves once its first content chunk has arrived. */
async function streamStarted(b: RunningBinary, model: string) {
  const res = await fetch(`${b.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: `openai/${model}`, messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('p0')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before its first chunk: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  let endedAt = 0;
  // The rest of the body, and whether it ended cleanly (false when the connection was cut).
  const rest = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { text, clean: true };
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      return { text, clean: false };
    } finally {
      endedAt = performance.now();
    }
  })();
  return { rest, endedAt: () => endedAt };
}

/** Whether a fresh TCP connection to the port is accepted. */
async function accepts(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

async function refusedWithin(port: number, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (!(await accepts(port))) return true;
    await Bun.sleep(20);
  }
  return false;
}

describe('graceful shutdown of the binary', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} mid-stream: new connections refused, the stream ends with [DONE], exit 0`, async () => {
      const b = await gateway();
      expect(await accepts(b.port)).toBe(true);
      const stream = await streamStarted(b, 'slow');
      b.proc.kill(signal);
      expect(await refusedWithin(b.port, 1000)).toBe(true);
      // Refused while the stream was still running: the drain, not the end of the stream, closed the door.
      expect(stream.endedAt()).toBe(0);
      const { text, clean } = await stream.rest;
      expect(clean).toBe(true);
      for (let i = 0; i < 20; i++) expect(text).toContain(`p${i} `);
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(await b.exited).toBe(0);
      const logs = b.logs();
      expect(logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal });
      expect(logs.find((l) => l.msg === 'stopped')).toMatchObject({ drained: true });
    });
  }

  test('a stream longer than SERVER_SHUTDOWN_TIMEOUT is cut at the deadline, and the exit code is still 0', async () => {
    const b = await gateway({ SERVER_SHUTDOWN_TIMEOUT: '1s' });
    const stream = await streamStarted(b, 'endless');
    const signalledAt = performance.now();
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const exitedAfter = performance.now() - signalledAt;
    expect(exitedAfter).toBeGreaterThan(900);
    expect(exitedAfter).toBeLessThan(5000);
    const { text } = await stream.rest;
    expect(text).toContain('p5 ');
    expect(text).not.toContain('[DONE]');
    expect(b.logs().find((l) => l.msg === 'stopped')).toMatchObject({ drained: false });
  });

  test('a second signal cuts the drain short', async () => {
    const b = await gateway({ SERVER_SHUTDOWN_TIMEOUT: '30s' });
    const stream = await streamStarted(b, 'endless');
    b.proc.kill('SIGTERM');
    await Bun.sleep(300);
    const secondAt = performance.now();
    b.proc.kill('SIGINT');
    expect(await b.exited).toBe(0);
    expect(performance.now() - secondAt).toBeLessThan(3000);
    expect((await stream.rest).text).not.toContain('[DONE]');
  });

  test('with nothing in flight, SIGTERM exits 0 at once', async () => {
    const b = await gateway();
    await fetch(`${b.url}/health`); // leaves an idle keep-alive connection, which must not hold the exit
    const signalledAt = performance.now();
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(2000);
  });
});
