import { describe, expect, test } from 'bun:test';
import { UsageTap } from '../../src/chat/usage-tap.ts';
import { LabelGuard } from '../../src/telemetry/label-guard.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const content = 'data: {"choices":[{"delta":{"content":"x"}}],"usage":null}\n\n';
const usage = 'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}\n\n';
const done = 'data: [DONE]\n\n';

/** Feeds `text` split at every `step` bytes and returns what the tap let through. */
function run(tap: UsageTap, text: string, step: number): string {
  const bytes = enc.encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += step) out += dec.decode(tap.feed(bytes.slice(i, i + step)), { stream: true });
  return out + dec.decode(tap.flush());
}

describe('usage is read from streams split anywhere', () => {
  for (const step of [1, 7, 64, 4096]) {
    test(`pass-through at ${step}-byte chunks keeps every byte and finds the usage`, () => {
      const tap = new UsageTap(false);
      expect(run(tap, content + usage + done, step)).toBe(content + usage + done);
      expect(tap.usage).toEqual({ input: 3, output: 4 });
    });
    test(`strip mode at ${step}-byte chunks drops only the usage chunk`, () => {
      const tap = new UsageTap(true);
      expect(run(tap, content + usage + done, step)).toBe(content + done);
      expect(tap.usage).toEqual({ input: 3, output: 4 });
    });
  }
});

test('model labels are capped so clients cannot blow up metric cardinality', () => {
  const guard = new LabelGuard(2);
  expect([guard.label('a'), guard.label('b'), guard.label('c'), guard.label('a')]).toEqual(['a', 'b', '_other', 'a']);
});

test('usage written with spaces is found too, and a truncated or non-object event is malformed', () => {
  const tap = new UsageTap(false);
  tap.feed(enc.encode('data: {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 1}}\n\n'));
  expect(tap.usage).toEqual({ input: 9, output: 1 });
  expect(() => new UsageTap(false).feed(enc.encode('data: {"choices": [\n\n'))).toThrow('malformed');
  expect(() => new UsageTap(false).feed(enc.encode('data: hello\n\n'))).toThrow('malformed');
  expect(() => new UsageTap(false).feed(enc.encode('data: {"usage": {"prompt_tokens": }\n\n'))).toThrow('malformed');
});
