/**
 * Stream-only faults: nothing before the first content reaches the client (so a slow or silent
 * deployment still fails over), and a stream that breaks after it is continued on a prefill
 * deployment as one stream, or ends with one error naming the original failure.
 */
import { expect, test } from 'bun:test';
import type { ErrorCode } from '../../src/errors.ts';
import type { Deployment } from '../../src/routing/config.ts';
import { FailoverEngine, type RoutingEvent } from '../../src/routing/engine.ts';
import { type Behaviour, chat, chunk, collect, dep, ERROR_EVENT, FakeProviders, FAULT, type Item, outcomes, route, textOf, upstream, VirtualClock } from './harness.ts';

const A = dep('openai', 'gpt-4o');
const B = dep('anthropic', 'claude', { prefill: true });
const C = dep('mistral', 'large', { prefill: true });
const SETTINGS = { retries: 2, firstTokenTimeoutMs: 10_000, stallTimeoutMs: 15_000 };

const role = (id: string) => ({ chunk: chunk('', { role: 'assistant', id, model: id }) });
const text = (id: string, t: string, after?: number) => ({ chunk: chunk(t, { id, model: id }), after });
const fin = (id: string, reason = 'stop') => ({ chunk: chunk(undefined, { finish: reason, id, model: id }) });
const okB: Behaviour = { stream: [role('B'), text('B', 'lo'), fin('B')] };

interface Row {
  name: string;
  scripts: Record<string, Behaviour[]>;
  deployments?: Deployment[];
  text: string;
  error?: ErrorCode;
  times: Record<string, number[]>;
  outcomes?: string[];
  /** The trailing assistant message the continuation was sent. */
  prefill?: Record<string, unknown>;
}

const ROWS: Row[] = [
  { name: 'no answer at all: first_token_timeout moves on', scripts: { [A.key]: [{ hang: true }], [B.key]: [{ stream: [role('B'), text('B', 'Hello'), fin('B')] }] }, text: 'Hello', times: { [A.key]: [0], [B.key]: [10_000] } },
  {
    name: 'slow first token: moves on, and the client never sees the slow one\'s role chunk',
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'late', 20_000)] }], [B.key]: [{ stream: [role('B'), text('B', 'Hello'), fin('B')] }] },
    text: 'Hello',
    times: { [A.key]: [0], [B.key]: [10_000] },
    outcomes: ['openai/gpt-4o:failed_over', 'anthropic/claude:success'],
  },
  {
    name: 'cut mid-answer: continued on the prefill deployment',
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hel'), { fail: FAULT.cut() }] }], [B.key]: [okB] },
    text: 'Hello',
    times: { [A.key]: [0], [B.key]: [0] },
    outcomes: ['openai/gpt-4o:continued', 'anthropic/claude:success'],
    prefill: { role: 'assistant', content: 'Hel' },
  },
  {
    name: 'stalled mid-answer: continued after stall_timeout',
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hel'), text('A', 'x', 60_000)] }], [B.key]: [okB] },
    text: 'Hello',
    times: { [A.key]: [0], [B.key]: [15_000] },
  },
  { name: 'error event mid-answer: continued', scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hel'), { chunk: ERROR_EVENT }] }], [B.key]: [okB] }, text: 'Hello', times: { [A.key]: [0], [B.key]: [0] } },
  {
    name: 'malformed chunk (dropped by the exchange; odd shapes tolerated)',
    scripts: { [A.key]: [{ stream: [role('A'), { chunk: { id: 'A', model: 'A', choices: 'garbage' } }, text('A', 'Hi'), fin('A')] }] },
    text: 'Hi',
    times: { [A.key]: [0], [B.key]: [] },
  },
  { name: 'no [DONE] after the finish: a whole answer, no error', scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hi'), fin('A'), { fail: FAULT.cut() }] }] }, text: 'Hi', times: { [A.key]: [0], [B.key]: [] } },
  { name: 'content filter: a normal answer, passed on', scripts: { [A.key]: [{ stream: [role('A'), text('A', 'I can'), fin('A', 'content_filter')] }] }, text: 'I can', times: { [A.key]: [0], [B.key]: [] } },
  {
    name: 'the fallback rejects prefill: one error naming the original failure',
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hel'), { fail: FAULT.cut() }] }], [B.key]: [{ fail: upstream(400, { message: 'prefill not supported' }) }] },
    text: 'Hel',
    error: 'upstream_stream_cut',
    times: { [A.key]: [0], [B.key]: [0] },
    outcomes: ['anthropic/claude:failed', 'openai/gpt-4o:failed'],
  },
  {
    name: 'no later deployment takes prefill: one error',
    deployments: [A, dep('groq', 'llama')],
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hel'), { fail: FAULT.cut() }] }] },
    text: 'Hel',
    error: 'upstream_stream_cut',
    times: { [A.key]: [0], 'groq/llama': [] },
  },
  {
    name: 'partial tool-call deltas: never continued',
    scripts: { [A.key]: [{ stream: [role('A'), { chunk: chunk(undefined, { id: 'A', model: 'A', toolCall: true }) }, { fail: FAULT.cut() }] }], [B.key]: [okB] },
    text: '',
    error: 'upstream_stream_cut',
    times: { [A.key]: [0], [B.key]: [] },
  },
  {
    name: 'the continuation breaks too: continued again on a later one (Mistral gets prefix: true)',
    deployments: [A, B, C],
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'He'), { fail: FAULT.cut() }] }], [B.key]: [{ stream: [role('B'), text('B', 'l'), { fail: FAULT.cut() }] }], [C.key]: [{ stream: [role('C'), text('C', 'lo'), fin('C')] }] },
    text: 'Hello',
    times: { [A.key]: [0], [B.key]: [0], [C.key]: [0] },
    outcomes: ['openai/gpt-4o:continued', 'anthropic/claude:continued', 'mistral/large:success'],
    prefill: { role: 'assistant', content: 'Hel', prefix: true },
  },
  {
    name: "Anthropic's prefill without trailing whitespace, and no space repeated",
    scripts: { [A.key]: [{ stream: [role('A'), text('A', 'Hello '), { fail: FAULT.cut() }] }], [B.key]: [{ stream: [role('B'), text('B', ' world'), fin('B')] }] },
    text: 'Hello world',
    times: { [A.key]: [0], [B.key]: [0] },
    prefill: { role: 'assistant', content: 'Hello' },
  },
];

test.each(ROWS)('$name', async (row) => {
  const clock = new VirtualClock();
  const events: RoutingEvent[] = [];
  const fakes = new FakeProviders(clock, row.scripts);
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  const deployments = row.deployments ?? [A, B];
  const result = await clock.run(engine.run(route(deployments, SETTINGS), chat(true), new AbortController().signal));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const items = await clock.run(collect(result.items));
  expect(textOf(items)).toBe(row.text);
  const errors = items.filter((i): i is Extract<Item, { kind: 'error' }> => i.kind === 'error');
  expect(errors.map((e) => e.error.code)).toEqual(row.error ? [row.error] : []);
  if (row.error) expect(items.at(-1)?.kind).toBe('error');
  // One stream: the first deployment's id and model throughout, and one role chunk.
  const chunks = items.flatMap((i) => (i.kind === 'chunk' ? [i.chunk] : []));
  const served = chunks[0]?.id;
  expect(chunks.every((c) => c.id === served && c.model === served)).toBe(true);
  const roles = chunks.filter((c) => JSON.stringify(c).includes('"role"'));
  expect(roles.length).toBe(1);
  // Rewritten chunks are re-encoded; unchanged ones keep the provider's bytes.
  for (const i of items) if (i.kind === 'chunk') expect(JSON.parse(new TextDecoder().decode(i.raw).slice(6))).toEqual(i.chunk);
  const times = Object.fromEntries(deployments.map((d) => [d.key, fakes.times(d.key)]));
  expect(times).toEqual(row.times);
  if (row.outcomes) expect(outcomes(events)).toEqual(row.outcomes);
  if (row.prefill) expect(fakes.calls.at(-1)?.body.messages.at(-1) as unknown).toEqual(row.prefill);
});

test('a client that stops reading releases the provider', async () => {
  const clock = new VirtualClock();
  const fakes = new FakeProviders(clock, { [A.key]: [{ stream: [role('A'), text('A', 'Hi'), text('A', ' there', 1000)] }] });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5 });
  const result = await clock.run(engine.run(route([A, B], SETTINGS), chat(true), new AbortController().signal));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  await clock.run(result.items.nextBatch());
  result.items.abort();
  expect(fakes.aborted).toEqual([A.key]);
});

test('usage and the served deployment are reported for the attempt that served', async () => {
  const clock = new VirtualClock();
  const events: RoutingEvent[] = [];
  const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
  const fakes = new FakeProviders(clock, {
    [A.key]: [{ stream: [role('A'), text('A', 'Hel'), { fail: FAULT.cut() }] }],
    [B.key]: [{ stream: [role('B'), text('B', 'lo'), fin('B'), { chunk: { id: 'B', model: 'B', choices: [], usage } }] }],
  });
  const engine = new FailoverEngine({ open: fakes.open, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  const result = await clock.run(engine.run(route([A, B], SETTINGS), chat(true), new AbortController().signal));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const items = await clock.run(collect(result.items));
  expect(items.at(-1)).toMatchObject({ kind: 'chunk', chunk: { id: 'A', usage } });
  expect(events.filter((e) => e.type !== 'attempt')).toEqual([
    { type: 'served', alias: 'smart', deployment: A.key },
    { type: 'usage', alias: 'smart', deployment: B.key, usage },
  ]);
});
