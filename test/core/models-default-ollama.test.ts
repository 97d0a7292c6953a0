import { afterAll, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/telemetry/log.ts';
import { fakeProvider } from '../helpers/fake-provider.ts';

// ollama needs no key, so it is always "usable"; its default URL (http://ollama:8080/v1) is a guess.
// Users who never set it up must not see it asked, and warned about, on every /v1/models.
const openai = fakeProvider({ 'GET /models': () => Response.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' }] }) });
const ollama = fakeProvider({ 'GET /models': () => Response.json({ object: 'list', data: [{ id: 'llama3', object: 'model', created: 1, owned_by: 'library' }] }) });
afterAll(() => Promise.all([openai.stop(), ollama.stop()]));

function gateway(env: Record<string, string>) {
  const logs: string[] = [];
  const app = createApp(loadConfig({ OPENAI_API_URL: openai.url, OPENAI_API_KEY: 'sk-models-1234', ...env }), {
    logger: createLogger('debug', (l) => logs.push(l)),
  });
  const list = async () => ((await (await app.handle(new Request('http://localhost/v1/models'))).json()) as { data: { id: string }[] }).data.map((m) => m.id);
  return { logs, list };
}

test('without OLLAMA_API_URL the default ollama is not asked, and nothing is logged about it', async () => {
  const gw = gateway({});
  expect(await gw.list()).toEqual(['openai/gpt-4o']);
  expect(await gw.list()).toEqual(['openai/gpt-4o']);
  expect(gw.logs.filter((l) => l.includes('model list failed'))).toEqual([]);
});

test('with OLLAMA_API_URL set, ollama is asked like any provider', async () => {
  const before = ollama.received.length;
  const gw = gateway({ OLLAMA_API_URL: ollama.url });
  expect((await gw.list()).sort()).toEqual(['ollama/llama3', 'openai/gpt-4o']);
  expect(ollama.received.length - before).toBe(1);
});
