/** A routed stream hands on each provider read the gateway leaves alone as that read itself, so its bytes go out as they came. */
import { describe, expect, test } from 'bun:test';
import type { SseBatch, StreamEvent } from '../../src/exchange/exchange.ts';
import { parseBlock } from '../../src/exchange/sse-parser.ts';
import type { OpenAttempt } from '../../src/routing/contract.ts';
import { FailoverEngine } from '../../src/routing/engine.ts';
import { attemptFrom, chat, chunk, collect, dep, ERROR_EVENT, eventOf, route, VirtualClock } from './harness.ts';

const A = dep('openai', 'gpt-4o');
const encoder = new TextEncoder();
const DONE = (): StreamEvent => Object.assign(parseBlock('data: [DONE]\n\n'), { done: true }) as StreamEvent;

/** A read as the exchange hands it over: its events, and its own bytes as one buffer. */
function readOf(events: StreamEvent[]): SseBatch {
  return { blocks: events, whole: encoder.encode(events.map((e) => e.text).join('')) };
}

/** An attempt whose stream comes in the given reads. */
function attemptOf(reads: SseBatch[]): OpenAttempt {
  return attemptFrom(async () => {
    let r = 0;
    return { kind: 'stream', status: 200, read: async () => reads[r++], contentArrived: () => undefined, finish: () => undefined, abort: () => undefined };
  });
}

async function handedOn(reads: SseBatch[]): Promise<{ batches: SseBatch[]; sawDone: boolean; error?: string }> {
  const clock = new VirtualClock();
  const engine = new FailoverEngine({ open: attemptOf(reads), clock, random: () => 0.5 });
  const result = await clock.run(engine.run(route([A]), chat(true)));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const batches: SseBatch[] = [];
  try {
    for (let b = await result.items.nextBatch(); b; b = await result.items.nextBatch()) batches.push(b);
  } catch (e) {
    return { batches, sawDone: result.items.sawDone, error: (e as { code: string }).code };
  }
  return { batches, sawDone: result.items.sawDone };
}

const role = () => eventOf(chunk('', { role: 'assistant' }));
const a = () => eventOf(chunk('a'));
const b = () => eventOf(chunk('b'));
const stop = () => eventOf(chunk(undefined, { finish: 'stop' }));

describe.each([
  ['the whole answer in one read, [DONE] included', () => [readOf([role(), a(), b(), stop(), DONE()])], [0], true],
  ['the prelude and the rest of its read, then a second read', () => [readOf([role(), a()]), readOf([b(), stop(), DONE()])], [0, 1], true],
  ['a read without [DONE]: handed on, the end added by the caller', () => [readOf([role(), a(), stop()])], [0], false],
])('%s', (_name, make, same, sawDone) => {
  test('each read is handed on as itself', async () => {
    const reads = make();
    const got = await handedOn(reads);
    expect(got.batches.length).toBe(same.length);
    for (const [i, want] of same.entries()) expect(got.batches[i]).toBe(reads[want] as SseBatch);
    expect(got.sawDone).toBe(sawDone);
    expect(got.error).toBeUndefined();
  });
});

test('a prelude over two reads goes on as their events joined (no longer one read), the next read as itself', async () => {
  const reads = [readOf([role()]), readOf([a(), b()]), readOf([stop(), DONE()])];
  const got = await handedOn(reads);
  expect(got.batches[0]?.whole).toBeUndefined();
  expect(got.batches[0]?.blocks).toEqual([...(reads[0] as SseBatch).blocks, ...(reads[1] as SseBatch).blocks]);
  expect(got.batches[1]).toBe(reads[2] as SseBatch);
  expect(got.sawDone).toBe(true);
});

test('an error event cuts its read: the events before it go on (not as the read), then the stream fails', async () => {
  const reads = [readOf([role(), a(), eventOf(ERROR_EVENT), b()])];
  const got = await handedOn(reads);
  expect(got.batches.length).toBe(1);
  expect(got.batches[0]?.whole).toBeUndefined();
  expect(got.batches[0]?.blocks).toEqual((reads[0] as SseBatch).blocks.slice(0, 2));
  expect(got.error).toBe('upstream_stream_error');
  expect(got.sawDone).toBe(false);
});

test('what the client gets from collect: the chunks, then the failure', async () => {
  const clock = new VirtualClock();
  const engine = new FailoverEngine({ open: attemptOf([readOf([role(), a()]), readOf([eventOf(ERROR_EVENT)])]), clock, random: () => 0.5 });
  const result = await clock.run(engine.run(route([A]), chat(true)));
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const items = await clock.run(collect(result.items));
  expect(items.map((i) => i.kind)).toEqual(['chunk', 'chunk', 'error']);
});
