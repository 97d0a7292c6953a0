/** The client's side: a slow reader is not a stalled provider, and a client that leaves stops all attempts. */
import { expect, test } from 'bun:test';
import { FailoverEngine, type RoutingEvent } from '../../src/routing/engine.ts';
import { chat, chunk, dep, FakeProviders, itemsOf, outcomes, readsOf, route, upstream, VirtualClock } from './harness.ts';

const A = dep('openai', 'gpt-4o');
const B = dep('anthropic', 'claude', { prefill: true });

test('a client reading slowly is not a stall: only the wait for the provider counts', async () => {
  const clock = new VirtualClock();
  const steps = [chunk('', { role: 'assistant' }), ...['a', 'b', 'c'].map((t) => chunk(t)), chunk(undefined, { finish: 'stop' })].map((c) => ({ chunk: c, after: 10_000 }));
  const fakes = new FakeProviders(clock, { [A.key]: [{ stream: steps }] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5 });
  const result = await clock.run(engine.run(route([A, B], { stallTimeoutMs: 15_000, firstTokenTimeoutMs: 30_000 }), chat(true), new AbortController().signal));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const read = async (): Promise<string[]> => {
    const kinds: string[] = [];
    for await (const batch of readsOf(result.items)) {
      for (const item of itemsOf(batch)) kinds.push(item.kind);
      await clock.sleep(60_000);
    }
    return kinds;
  };
  expect(await clock.run(read())).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'chunk']);
  expect(fakes.times(B.key)).toEqual([]);
});

test('the client leaving during a backoff ends the request: no more attempts', async () => {
  const clock = new VirtualClock();
  const events: RoutingEvent[] = [];
  const fakes = new FakeProviders(clock, { [A.key]: [{ fail: upstream(503) }] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  const client = new AbortController();
  const run = engine.run(route([A, B], { retries: 2 }), chat(false), client.signal).catch((e: { code: string }) => e.code);
  void clock.sleep(100).then(() => client.abort());
  expect(await clock.run(run)).toBe('client_gone');
  expect(fakes.calls.map((c) => c.key)).toEqual([A.key]);
  expect(outcomes(events)).toEqual([`${A.key}:retried`]);
});

test('the client leaving mid-stream: no continuation, no error item, the provider released', async () => {
  const clock = new VirtualClock();
  const events: RoutingEvent[] = [];
  const fakes = new FakeProviders(clock, { [A.key]: [{ stream: [{ chunk: chunk('Hi', { role: 'assistant' }) }, { hang: true }] }] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  const client = new AbortController();
  const result = await clock.run(engine.run(route([A, B]), chat(true), client.signal));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  void clock.sleep(1000).then(() => client.abort());
  const items: string[] = [];
  await clock.run((async () => { for await (const batch of readsOf(result.items)) for (const i of itemsOf(batch)) items.push(i.kind); })());
  expect(items).toEqual(['chunk']);
  expect(fakes.times(B.key)).toEqual([]);
  expect(outcomes(events)).toEqual([`${A.key}:failed`]);
});

test('chunks already read reach the caller together: one batch per provider read', async () => {
  const clock = new VirtualClock();
  const c = (t: string, after?: number) => ({ chunk: chunk(t), after });
  const fakes = new FakeProviders(clock, { [A.key]: [{ stream: [{ chunk: chunk('', { role: 'assistant' }) }, c('a'), c('b'), c('c'), c('d', 500), c('e'), { chunk: chunk(undefined, { finish: 'stop' }) }] }] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5 });
  const result = await clock.run(engine.run(route([A, B]), chat(true), new AbortController().signal));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const sizes: number[] = [];
  await clock.run((async () => { for await (const batch of readsOf(result.items)) sizes.push(itemsOf(batch).length); })());
  expect(sizes).toEqual([4, 3]);
});
