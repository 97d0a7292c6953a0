/** A routed stream's batch that is one provider read, unchanged, is handed over as that read's own bytes. */
import { describe, expect, test } from 'bun:test';
import { FailoverEngine, type ChunkStep, type OpenAttempt, type StreamStep } from '../../src/routing/engine.ts';
import { chat, chunk, dep, route, VirtualClock } from './harness.ts';

const A = dep('openai', 'gpt-4o');
const encoder = new TextEncoder();
const step = (c: Record<string, unknown>): ChunkStep => ({ done: false, kind: 'chunk', chunk: c, raw: encoder.encode(`data: ${JSON.stringify(c)}\n\n`) });
const DONE: StreamStep = { done: true, raw: encoder.encode('data: [DONE]\n\n') };

/** An attempt whose stream comes in the given reads; each read's bytes are one buffer of its own. */
function readsOf(reads: StreamStep[][]): { open: OpenAttempt; buffers: Uint8Array[] } {
  const buffers = reads.map((r) => encoder.encode(r.map((s) => new TextDecoder().decode(s.raw ?? new Uint8Array())).join('')));
  const open: OpenAttempt = async () => {
    let r = -1;
    let at = 0;
    const nextRead = (): StreamStep | undefined => {
      const s = reads[r]?.[at];
      if (s) at++;
      return s;
    };
    return {
      kind: 'stream',
      status: 200,
      nextRead,
      next: async () => {
        const ready = nextRead();
        if (ready) return ready;
        r++;
        at = 0;
        return nextRead() ?? { done: true };
      },
      wholeRead: () => (at === reads[r]?.length ? buffers[r] : undefined),
      abort: () => undefined,
    };
  };
  return { open, buffers };
}

const role = step(chunk('', { role: 'assistant' }));
const a = step(chunk('a'));
const b = step(chunk('b'));
const stop = step(chunk(undefined, { finish: 'stop' }));

describe.each([
  ['the whole answer in one read, [DONE] included', [[role, a, b, stop, DONE]], [0], true],
  ['the prelude and the rest of its read, then a second read', [[role, a], [b, stop, DONE]], [0, 1], true],
  ['a prelude over two reads: the first batch is joined, the second read goes whole', [[role], [a, b], [stop, DONE]], [undefined, 2], true],
])('%s', (_name, reads, wholeBuffers, endsWhole) => {
  test('each batch is handed over as its read, and the stream ends with it', async () => {
    const clock = new VirtualClock();
    const { open, buffers } = readsOf(reads as StreamStep[][]);
    const engine = new FailoverEngine({ open, clock, random: () => 0.5 });
    const result = await clock.run(engine.run(route([A]), chat(true)));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const wholes: (Uint8Array | undefined)[] = [];
    for await (const _batch of result.items) wholes.push(result.items.whole);
    expect(wholes).toEqual((wholeBuffers as (number | undefined)[]).map((i) => (i === undefined ? undefined : buffers[i])));
    for (const [i, w] of wholes.entries()) {
      const want = (wholeBuffers as (number | undefined)[])[i];
      if (want !== undefined) expect(w).toBe(buffers[want] as Uint8Array);
    }
    expect(result.ended()).toBe(endsWhole as boolean);
  });
});

test('a read without [DONE] goes out whole before the end is known; the end then brings no bytes of the provider', async () => {
  const clock = new VirtualClock();
  const { open, buffers } = readsOf([[role, a, stop]]);
  const engine = new FailoverEngine({ open, clock, random: () => 0.5 });
  const result = await clock.run(engine.run(route([A]), chat(true)));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const wholes: (Uint8Array | undefined)[] = [];
  for await (const _batch of result.items) wholes.push(result.items.whole);
  expect(wholes).toEqual([buffers[0]]);
  // The caller adds the terminator the provider left out.
  expect(result.ended()).toBe(true);
  expect(result.terminator()).toBeUndefined();
});
