import { afterAll, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DeadlineClock } from '../../src/exchange/clock.ts';
import { createLogger } from '../../src/telemetry/log.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';

// Two gateways in one process, as tests (and embedders) build them: no timer, log line or cache of one
// may reach the other.
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

function gateway(url: string, key: string) {
  const logs: string[] = [];
  const clock = new DeadlineClock();
  const logger = createLogger('info', (line) => logs.push(line));
  const app = createApp(loadConfig({ OPENAI_API_URL: url, OPENAI_API_KEY: key, OLLAMA_API_URL: 'http://127.0.0.1:9/v1' }), { logger, clock });
  const chat = (model: string) =>
    app.handle(new Request('http://localhost/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: `openai/${model}`, messages: [{ role: 'user', content: 'hi' }] }) }));
  return { app, logs, clock, chat };
}

test('two apps in one process keep their own clocks, logs and providers (URL, key, connection pool)', async () => {
  const a = gateway(fakeA.url, 'sk-app-a-1234');
  const b = gateway(fakeB.url, 'sk-app-b-1234');
  // Same provider id and path in both: each app's provider has its own URL, key and pool.
  expect(((await (await a.chat('gpt-4o')).json()) as ReturnType<typeof chatCompletion>).choices[0]!.message.content).toBe('from A');
  expect(((await (await b.chat('gpt-4o')).json()) as ReturnType<typeof chatCompletion>).choices[0]!.message.content).toBe('from B');
  expect(fakeA.last().headers.authorization).toBe('Bearer sk-app-a-1234');
  expect(fakeB.last().headers.authorization).toBe('Bearer sk-app-b-1234');
  // An exchange in flight on A is watched by A's clock only.
  const slow = a.chat('slow');
  await Bun.sleep(50);
  expect(a.clock.size).toBe(1);
  expect(b.clock.size).toBe(0);
  await slow;
  expect(a.clock.size).toBe(0);
  // Each app's log has its own requests only.
  const providersIn = (logs: string[]) => logs.map((l) => JSON.parse(l) as { msg: string; model?: string }).filter((l) => l.msg === 'request').map((l) => l.model);
  expect(providersIn(a.logs)).toEqual(['gpt-4o', 'slow']);
  expect(providersIn(b.logs)).toEqual(['gpt-4o']);
  // Stopping A stops its clock for good; B still serves.
  a.app.listen({ port: 0, hostname: '127.0.0.1' });
  await a.app.stop();
  a.clock.watch(1000, undefined, () => undefined);
  expect(a.clock.size).toBe(0);
  expect(((await (await b.chat('gpt-4o')).json()) as ReturnType<typeof chatCompletion>).choices[0]!.message.content).toBe('from B');
});
