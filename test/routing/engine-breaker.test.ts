/**
 * A flapping primary: down for a few seconds while a request comes every second. Once its breaker
 * opens the fallback serves without waiting on it; one probe after the cooldown brings it back.
 */
import { expect, test } from 'bun:test';
import { FailoverEngine, type RoutingEvent } from '../../src/routing/engine.ts';
import { type Behaviour, chat, dep, FakeProviders, outcomes, route, upstream, VirtualClock } from './harness.ts';

const A = dep('openai', 'gpt-4o');
const B = dep('groq', 'llama');
const SETTINGS = { retries: 0, breaker: { failures: 2, cooldownMs: 5_000 } };
const ok: Behaviour = { json: { choices: [] } };

/** Sends one request at each of `at` (ms), in turn; returns who served each. */
async function requestsAt(at: number[], downUntil: number[]): Promise<{ served: string[]; fakes: FakeProviders; engine: FailoverEngine; events: RoutingEvent[]; gauge: number[] }> {
  const clock = new VirtualClock();
  const events: RoutingEvent[] = [];
  const isDown = (t: number): boolean => t < (downUntil[0] ?? 0) || (downUntil.length > 2 && t >= (downUntil[1] ?? 0) && t < (downUntil[2] ?? 0));
  const fakes = new FakeProviders(clock, { [A.key]: (t) => (isDown(t) ? { fail: upstream(503) } : ok), [B.key]: [ok] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  const served: string[] = [];
  const gauge: number[] = [];
  for (const t of at) {
    await clock.run(clock.sleep(t - clock.now()));
    const r = await clock.run(engine.run(route([A, B], SETTINGS), chat(false), new AbortController().signal));
    served.push(r.servedBy.provider);
    gauge.push(engine.breakers.readout().find((x) => x.deployment === A.key)?.value ?? -1);
  }
  return { served, fakes, engine, events, gauge };
}

const EVERY_SECOND = Array.from({ length: 12 }, (_, i) => i * 1000);

test('primary down 0–4 s: served by the fallback meanwhile, back on the primary one cooldown after its breaker opened', async () => {
  const { served, fakes, gauge } = await requestsAt(EVERY_SECOND, [4_000]);
  // Opens at 1 s (2 failures); skipped until the probe at 6 s succeeds.
  expect(served).toEqual(['groq', 'groq', 'groq', 'groq', 'groq', 'groq', 'openai', 'openai', 'openai', 'openai', 'openai', 'openai']);
  expect(fakes.times(A.key)).toEqual([0, 1000, 6000, 7000, 8000, 9000, 10000, 11000]);
  // Gauge: 0 closed, 2 open, 1 half-open; a success closes it.
  expect(gauge).toEqual([0, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
});

test('a failed probe reopens the breaker for another cooldown', async () => {
  const { served, fakes, events } = await requestsAt(EVERY_SECOND, [8_000]);
  expect(fakes.times(A.key)).toEqual([0, 1000, 6000, 11000]);
  expect(served.slice(-1)).toEqual(['openai']);
  expect(outcomes(events).filter((o) => o.endsWith('breaker_open')).length).toBe(8);
});

test('flapping (down, up, down again): opens each time it fails twice running', async () => {
  const { fakes } = await requestsAt(EVERY_SECOND, [2_000, 7_000, 9_000]);
  // Down 0–2 s, up 2–7 s, down 7–9 s: opens at 1 s, probe at 6 s closes it, fails at 7 and 8 s (opens), probe at 13 s would be next.
  expect(fakes.times(A.key)).toEqual([0, 1000, 6000, 7000, 8000]);
});

test('every deployment open: tried anyway rather than refused (panic routing)', async () => {
  const clock = new VirtualClock();
  const fakes = new FakeProviders(clock, { [A.key]: [{ fail: upstream(503) }, { fail: upstream(503) }, ok] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5 });
  const one = route([A], SETTINGS);
  for (let i = 0; i < 2; i++) await clock.run(engine.run(one, chat(false), new AbortController().signal)).catch(() => undefined);
  expect(engine.breakers.readout()).toEqual([{ deployment: A.key, state: 'open', value: 2 }]);
  const r = await clock.run(engine.run(one, chat(false), new AbortController().signal));
  expect(r.servedBy.key).toBe(A.key);
  expect(fakes.times(A.key).length).toBe(3);
});
