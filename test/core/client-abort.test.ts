/** A client that gives up before the provider answered takes the provider call down with it. */
import { afterAll, describe, expect, test } from 'bun:test';
import { chatChunks, fakeProvider, sseResponse, type Recorded } from '../helpers/fake-provider.ts';
import { jsonHeaders, listeningGateway } from '../helpers/gateway.ts';

const upstream = fakeProvider({
  // Never answers by itself: only the gateway hanging up ends these.
  'POST /chat/completions': async (_req, rec) => {
    await Promise.race([rec.aborted, Bun.sleep(10_000)]);
    return sseResponse(chatChunks(['too late']));
  },
});
const gw = listeningGateway({ OPENAI_API_URL: upstream.url, OPENAI_API_KEY: 'sk-test', CLIENT_TIMEOUT: '20s' });
afterAll(async () => {
  await gw.stop();
  upstream.stop();
});

/** Sends a chat, waits until the provider has it, then hangs up; resolves with the provider's view of it. */
async function hangUpWhileWaiting(stream: boolean): Promise<Recorded> {
  const before = upstream.received.length;
  const controller = new AbortController();
  const pending = fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: jsonHeaders,
    body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream }),
    signal: controller.signal,
  }).catch(() => undefined);
  while (upstream.received.length === before) await Bun.sleep(5);
  await Bun.sleep(50); // longer than a sweep: the gateway has started watching this client
  controller.abort();
  await pending;
  return upstream.received.at(-1)!;
}

describe('a client that hangs up before the answer', () => {
  for (const stream of [false, true]) {
    test(`${stream ? 'streamed' : 'non-streamed'}: the provider call is aborted within a moment`, async () => {
      const rec = await hangUpWhileWaiting(stream);
      const started = performance.now();
      await Promise.race([rec.aborted, Bun.sleep(3000)]);
      expect(rec.wasAborted()).toBe(true);
      expect(performance.now() - started).toBeLessThan(1000);
    });
  }

  test('the gateway keeps serving afterwards', async () => {
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
  });
});
