import { afterAll, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/telemetry/log.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';

// Two gateways in one process, as tests (and embedders) build them: no deadline, log line or provider of
// one may reach the other.
function provider(answer: string) {
  return fakeProvider({
    'POST /chat/completions': async (_req, rec) => {
      if (JSON.parse(rec.body).model === 'slow') await Bun.sleep(300);
      return Response.json(chatCompletion(answer));
    },
  });
}
const fakeA = provider('from A');
const fakeB = provider('from B');
afterAll(() => Promise.all([fakeA.stop(), fakeB.stop()]));

function gateway(url: string, key: string, env: Record<string, string> = {}) {
  const logs: string[] = [];
  const logger = createLogger('info', (line) => logs.push(line));
  const app = createApp(loadConfig({ OPENAI_API_URL: url, OPENAI_API_KEY: key, OLLAMA_API_URL: 'http://127.0.0.1:9/v1', ...env }), { logger });
  const chat = (model: string) =>
    app.handle(new Request('http://localhost/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: `openai/${model}`, messages: [{ role: 'user', content: 'hi' }] }) }));
  return { app, logs, chat };
}
const contentOf = async (res: Response) => ((await res.json()) as ReturnType<typeof chatCompletion>).choices[0]!.message.content;

test("two apps in one process keep their own deadlines, logs and providers (URL, key, connection pool)", async () => {
  const a = gateway(fakeA.url, 'sk-app-a-1234', { CLIENT_RESPONSE_HEADER_TIMEOUT: '100ms' });
  const b = gateway(fakeB.url, 'sk-app-b-1234');
  // Same provider id and path in both: each app's provider has its own URL, key and pool.
  expect(await contentOf(await a.chat('gpt-4o'))).toBe('from A');
  expect(await contentOf(await b.chat('gpt-4o'))).toBe('from B');
  expect(fakeA.last().headers.authorization).toBe('Bearer sk-app-a-1234');
  expect(fakeB.last().headers.authorization).toBe('Bearer sk-app-b-1234');
  // The same slow answer, at once on both: A's 100 ms header deadline is A's alone.
  const [slowA, slowB] = await Promise.all([a.chat('slow'), b.chat('slow')]);
  expect(slowA.status).toBe(504);
  expect(await contentOf(slowB)).toBe('from B');
  // Each app's log has its own requests only.
  const modelsIn = (logs: string[]) => logs.map((l) => JSON.parse(l) as { msg: string; model?: string }).filter((l) => l.msg === 'request').map((l) => l.model);
  expect(modelsIn(a.logs)).toEqual(['gpt-4o', 'slow']);
  expect(modelsIn(b.logs)).toEqual(['gpt-4o', 'slow']);
  // Stopping A leaves B serving.
  a.app.listen({ port: 0, hostname: '127.0.0.1' });
  await a.app.stop();
  expect(await contentOf(await b.chat('gpt-4o'))).toBe('from B');
});
