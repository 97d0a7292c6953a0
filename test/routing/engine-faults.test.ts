/**
 * The scorecard's provider faults, each streaming and not, on a fallback alias A → B (B takes
 * prefill): what the client gets (the whole answer, or one clean error) and what each deployment saw
 * (how many attempts, and when, on virtual time).
 */
import { describe, expect, test } from 'bun:test';
import { type ErrorCode, GatewayError } from '../../src/errors.ts';
import { FailoverEngine, type RoutingEvent } from '../../src/routing/engine.ts';
import { type Behaviour, chat, chunk, collect, dep, FakeProviders, FAULT, outcomes, route, textOf, upstream, VirtualClock } from './harness.ts';

const A = dep('openai', 'gpt-4o');
const B = dep('anthropic', 'claude', { prefill: true });
const SETTINGS = { retries: 2, firstTokenTimeoutMs: 10_000, stallTimeoutMs: 15_000, maxRetryAfterMs: 10_000 };

const okJson = (who: string): Behaviour => ({
  json: { id: `c-${who}`, model: who, choices: [{ index: 0, message: { role: 'assistant', content: `from ${who}` }, finish_reason: 'stop' }] },
});
const okStream = (who: string): Behaviour => ({
  stream: [{ chunk: chunk('', { role: 'assistant', id: who, model: who }) }, { chunk: chunk(`from ${who}`, { id: who, model: who }) }, { chunk: chunk(undefined, { finish: 'stop', id: who, model: who }) }],
});
const ok = (who: string, stream: boolean): Behaviour => (stream ? okStream(who) : okJson(who));

interface Row {
  name: string;
  a: (stream: boolean) => Behaviour[];
  b?: (stream: boolean) => Behaviour[];
  served?: string;
  error?: { code: ErrorCode; status: number };
  times: { a: number[]; b: number[] };
  outcomes?: string[];
}

// random() is 0.5: retry 1 waits 188 ms, retry 2 waits 375 ms, raised to 1500 ms after the first by the spacing rule.
const ROWS: Row[] = [
  { name: '429 with Retry-After: waits what it asks', a: (s) => [{ fail: upstream(429, { retryAfter: '2' }) }, ok('A', s)], served: 'A', times: { a: [0, 2000], b: [] } },
  { name: '429 without Retry-After: backoff, two attempts per 1.5 s', a: (s) => [{ fail: upstream(429) }, { fail: upstream(429) }, ok('A', s)], served: 'A', times: { a: [0, 188, 1500], b: [] } },
  { name: '429 asking longer than max_retry_after: next deployment at once', a: () => [{ fail: upstream(429, { retryAfter: '60' }) }], served: 'B', times: { a: [0], b: [0] } },
  { name: '500 once: retried on the same deployment', a: (s) => [{ fail: upstream(500) }, ok('A', s)], served: 'A', times: { a: [0, 188], b: [] } },
  {
    name: '503 for good: 1 + retries attempts, then the fallback',
    a: () => [{ fail: upstream(503) }],
    served: 'B',
    times: { a: [0, 188, 1500], b: [1500] },
    outcomes: ['openai/gpt-4o:retried', 'openai/gpt-4o:retried', 'openai/gpt-4o:failed_over', 'anthropic/claude:success'],
  },
  { name: 'reset before headers: retried', a: (s) => [{ fail: FAULT.reset() }, ok('A', s)], served: 'A', times: { a: [0, 188], b: [] } },
  { name: 'no answer at all (header timeout): not retried, next deployment', a: () => [{ fail: FAULT.headerTimeout(), after: 8_000 }], served: 'B', times: { a: [0], b: [8000] } },
  { name: 'context length exceeded (code): next deployment at once', a: () => [{ fail: upstream(400, { code: 'context_length_exceeded' }) }], served: 'B', times: { a: [0], b: [0] } },
  { name: 'context length exceeded (message only)', a: () => [{ fail: upstream(400, { message: "This model's maximum context length is 8192 tokens" }) }], served: 'B', times: { a: [0], b: [0] } },
  { name: 'other 4xx: straight back to the client', a: () => [{ fail: upstream(401) }], error: { code: 'upstream_error', status: 401 }, times: { a: [0], b: [] } },
  { name: 'every deployment fails: the last one\'s error', a: () => [{ fail: upstream(503) }], b: () => [{ fail: upstream(502) }], error: { code: 'upstream_error', status: 502 }, times: { a: [0, 188, 1500], b: [1500, 1688, 3000] } },
];

describe.each([false, true])('stream=%p', (stream) => {
  test.each(ROWS)('$name', async (row) => {
    const clock = new VirtualClock();
    const events: RoutingEvent[] = [];
    const fakes = new FakeProviders(clock, { [A.key]: row.a(stream), [B.key]: row.b?.(stream) ?? [ok('B', stream)] });
    const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
    const run = engine.run(route([A, B], SETTINGS), chat(stream), new AbortController().signal);
    if (row.error) {
      const err = await clock.run(run).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect({ code: (err as GatewayError).code, status: (err as GatewayError).status }).toEqual(row.error);
    } else {
      const result = await clock.run(run);
      expect(result.servedBy.key).toBe(row.served === 'A' ? A.key : B.key);
      if (result.kind === 'stream') {
        const items = await clock.run(collect(result.items));
        expect(textOf(items)).toBe(`from ${row.served}`);
        expect(items.some((i) => i.kind === 'error')).toBe(false);
      } else expect(stream).toBe(false);
    }
    expect({ a: fakes.times(A.key), b: fakes.times(B.key) }).toEqual(row.times);
    if (row.outcomes) expect(outcomes(events)).toEqual(row.outcomes);
    // Each deployment was asked for its own model name.
    for (const c of fakes.calls) expect(c.body.model).toBe(c.key.split('/')[1] as string);
  });
});
