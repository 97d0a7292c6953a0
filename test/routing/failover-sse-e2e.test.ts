/**
 * The same routed gateway read as raw SSE and headers: one stream with one id after a continuation,
 * one error event and no [DONE] when the fallback refuses the prefill, x-served-by and the accounting,
 * and a flapping primary served around by its breaker.
 */
import { afterEach, expect, test } from 'bun:test';
import { chatAnswer, chatEvents, type Fault, type FaultyProvider, faultyProvider } from '../helpers/faulty-provider.ts';
import { type RoutedGateway, routedGateway } from './routed-gateway.ts';

const routingFile = (breaker = '{ failures: 3, cooldown: 1s }', retries = 0) => `
models:
  smart:
    strategy: fallback
    deployments:
      - provider: openai
        model: gpt-4o
      - provider: mistral
        model: mistral-large
        prefill: true
    retries: ${retries}
    first_token_timeout: 400ms
    stall_timeout: 400ms
    breaker: ${breaker}
`;

const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

function start(primary: Fault[] | ((n: number) => Fault), fallback: Fault[], routing = routingFile()): { p: FaultyProvider; f: FaultyProvider; gw: RoutedGateway } {
  const p = faultyProvider(typeof primary === 'function' ? (n) => primary(n) : primary);
  const f = faultyProvider(fallback);
  const gw = routedGateway({ OPENAI_API_URL: p.url, OPENAI_API_KEY: 'sk-test-a', MISTRAL_API_URL: f.url, MISTRAL_API_KEY: 'sk-test-b', CLIENT_RESPONSE_HEADER_TIMEOUT: '600ms' }, routing);
  stops.push(() => gw.stop(), () => p.stop(), () => f.stop());
  return { p, f, gw };
}

const chat = (gw: RoutedGateway, stream: boolean, model = 'smart') =>
  fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }) });

/** The `data:` payloads of an SSE body. */
const dataOf = (text: string): string[] => text.split('\n\n').filter((b) => b.startsWith('data: ')).map((b) => b.slice(6));

test('a continued stream is one stream: one id and model, one role chunk, [DONE] once; x-served-by names the first', async () => {
  const { gw } = start([{ kind: 'stream', events: chatEvents(['Hel'], { id: 'first', model: 'gpt-4o' }).slice(0, 2), end: 'cut' }], [{ kind: 'stream', events: chatEvents(['lo'], { id: 'second', model: 'mistral-large' }), end: 'done' }]);
  const res = await chat(gw, true);
  expect([res.status, res.headers.get('x-served-by'), res.headers.get('content-type')]).toEqual([200, 'openai/gpt-4o', 'text/event-stream; charset=utf-8']);
  const data = dataOf(await res.text());
  expect(data.at(-1)).toBe('[DONE]');
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { id: string; model: string; choices: Array<{ delta: { role?: string; content?: string } }> });
  expect(new Set(chunks.map((c) => `${c.id} ${c.model}`))).toEqual(new Set(['first gpt-4o']));
  expect(chunks.filter((c) => c.choices[0]?.delta.role).length).toBe(1);
  expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello');
  expect(gw.events.filter((e) => e.type === 'attempt').map((e) => `${e.deployment} ${e.type === 'attempt' && e.outcome}`)).toEqual(['openai/gpt-4o continued', 'mistral/mistral-large success']);
});

test('the fallback refuses the prefill: the text so far, then one error naming the original failure, no [DONE]', async () => {
  const { f, gw } = start([{ kind: 'stream', events: chatEvents(['Hel']).slice(0, 2), end: 'cut' }], [{ kind: 'status', status: 400, body: { error: { message: 'Assistant prefill is not supported' } } }]);
  const res = await chat(gw, true);
  expect(res.status).toBe(200);
  const data = dataOf(await res.text());
  expect(data).not.toContain('[DONE]');
  expect(data.at(-1)).toBe(JSON.stringify({ error: 'Upstream connection lost during the stream' }));
  expect(data.filter((d) => d.includes('"error"')).length).toBe(1);
  expect(f.seen.length).toBe(1);
});

test('every deployment fails before the start: a proper HTTP error, not an SSE stream', async () => {
  const { gw } = start([{ kind: 'status', status: 503 }], [{ kind: 'status', status: 502, body: { error: { message: 'fallback down' } } }]);
  const res = await chat(gw, true);
  expect(res.status).toBe(502);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(((await res.json()) as { error: string }).error).toContain('fallback down');
});

test('fallback accounting: x-served-by, usage and attempts name the deployment that served', async () => {
  const { gw } = start([{ kind: 'status', status: 503 }], [{ kind: 'json', body: chatAnswer('Hello', { model: 'mistral-large' }) }]);
  const res = await chat(gw, false);
  expect([res.status, res.headers.get('x-served-by')]).toEqual([200, 'mistral/mistral-large']);
  // The Go gateway's pair, for its clients.
  expect([res.headers.get('x-selected-provider'), res.headers.get('x-selected-model')]).toEqual(['mistral', 'mistral-large']);
  expect(((await res.json()) as { model: string }).model).toBe('mistral-large');
  expect(gw.events).toEqual([
    { type: 'attempt', alias: 'smart', deployment: 'openai/gpt-4o', outcome: 'failed_over', code: 'upstream_error' },
    { type: 'served', alias: 'smart', deployment: 'mistral/mistral-large' },
    { type: 'attempt', alias: 'smart', deployment: 'mistral/mistral-large', outcome: 'success' },
    { type: 'usage', alias: 'smart', deployment: 'mistral/mistral-large', usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
  ]);
});

test('a plain provider/model request is a one-deployment route with the defaults', async () => {
  const { p, gw } = start([{ kind: 'status', status: 500 }, { kind: 'json', body: chatAnswer('Hi') }], []);
  const res = await chat(gw, false, 'openai/gpt-4o-mini');
  expect([res.status, res.headers.get('x-served-by')]).toEqual([200, 'openai/gpt-4o-mini']);
  // defaults.retries is 1 (built in): the 500 was retried once.
  expect(p.seen.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
});

test('a flapping primary: served by the fallback while its breaker is open, back on it within one cooldown', async () => {
  const began = performance.now();
  const down = (): boolean => performance.now() - began < 900;
  const { p, gw } = start(() => (down() ? { kind: 'status', status: 503 } : { kind: 'json', body: chatAnswer('primary') }), [{ kind: 'json', body: chatAnswer('fallback') }], routingFile('{ failures: 2, cooldown: 600ms }'));
  const served: string[] = [];
  const at: number[] = [];
  for (let i = 0; i < 12; i++) {
    at.push(performance.now() - began);
    const res = await chat(gw, false);
    served.push(res.headers.get('x-served-by') ?? String(res.status));
    await res.text();
    await Bun.sleep(150);
  }
  const firstBack = served.indexOf('openai/gpt-4o');
  expect(served.slice(0, 2)).toEqual(['mistral/mistral-large', 'mistral/mistral-large']);
  expect(firstBack).toBeGreaterThan(2);
  expect(served.slice(firstBack).every((s) => s === 'openai/gpt-4o')).toBe(true);
  // Recovered at 900 ms; back on it within one cooldown (600 ms) plus a request's spacing.
  expect(at[firstBack] ?? Infinity).toBeLessThan(900 + 600 + 200);
  // Open from the second failure: the primary saw only the probes meanwhile, not every request.
  expect(p.seen.length).toBeLessThan(served.length - 2);
  expect(gw.routing.breakers()).toEqual([
    { deployment: 'openai/gpt-4o', state: 'closed', value: 0 },
    { deployment: 'mistral/mistral-large', state: 'closed', value: 0 },
  ]);
});

test('a client that leaves during a Retry-After wait gets no further attempt, here or elsewhere', async () => {
  const { p, f, gw } = start([{ kind: 'status', status: 429, headers: { 'retry-after': '1' } }], [{ kind: 'json', body: chatAnswer('late') }], routingFile(undefined, 1));
  const gone = new AbortController();
  const res = fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }), signal: gone.signal }).catch(() => 'aborted');
  await Bun.sleep(200);
  gone.abort();
  expect(await res).toBe('aborted');
  await Bun.sleep(1300);
  expect([p.seen.length, f.seen.length]).toEqual([1, 0]);
  expect(gw.events.map((e) => (e.type === 'attempt' ? `${e.deployment} ${e.outcome} ${e.code}` : e.type))).toEqual(['openai/gpt-4o retried upstream_error', 'openai/gpt-4o failed client_gone']);
});

test('a client that leaves a routed stream closes the provider connection at once', async () => {
  const { p, gw } = start([{ kind: 'stream', events: chatEvents(Array.from({ length: 30 }, (_, i) => `t${i} `), { delayMs: 350 }), end: 'done' }], []);
  const gone = new AbortController();
  const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }], stream: true }), signal: gone.signal });
  const reader = res.body?.getReader();
  await reader?.read();
  const left = performance.now();
  gone.abort();
  for (let i = 0; i < 40 && p.seen[0]?.closedAt === undefined; i++) await Bun.sleep(25);
  expect((p.seen[0]?.closedAt ?? Infinity) - left).toBeLessThan(250);
});
