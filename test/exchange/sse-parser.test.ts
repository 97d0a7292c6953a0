import { describe, expect, test } from 'bun:test';
import { MAX_BLOCK_BYTES, SseBlockTooLarge, SseParser, type SseBlock } from '../../src/exchange/sse-parser.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The events a whole stream gives, fed in pieces of `step` bytes (0: in one piece). */
function parse(text: string, step = 0): SseBlock[] {
  const parser = new SseParser();
  const bytes = enc.encode(text);
  const out: SseBlock[] = [];
  const size = step > 0 ? step : bytes.byteLength;
  for (let i = 0; i < bytes.byteLength; i += size) out.push(...parser.push(bytes.slice(i, i + size)));
  const last = parser.end();
  if (last) out.push(last);
  return out;
}

const fields = (blocks: SseBlock[]): Record<string, unknown>[] => blocks.map((b) => Object.fromEntries(Object.entries({ data: b.data, event: b.event, id: b.id, retry: b.retry }).filter(([, v]) => v !== undefined)));

// Each rule of the WHATWG event-stream format ("Server-sent events", interpreting an event stream).
describe.each([
  ['one data line', 'data: hello\n\n', [{ data: 'hello' }]],
  ['two data lines join with LF', 'data: a\ndata: b\n\n', [{ data: 'a\nb' }]],
  ['no space after the colon', 'data:tight\n\n', [{ data: 'tight' }]],
  ['only one leading space is dropped', 'data:  two\n\n', [{ data: ' two' }]],
  ['a field with no colon has an empty value', 'data\n\n', [{ data: '' }]],
  ['event, id and retry', 'event: delta\nid: 7\nretry: 1500\ndata: x\n\n', [{ event: 'delta', id: '7', retry: 1500, data: 'x' }]],
  ['retry that is not digits is ignored', 'retry: soon\ndata: x\n\n', [{ data: 'x' }]],
  ['an id with NUL is ignored', 'id: a\u0000b\ndata: x\n\n', [{ data: 'x' }]],
  ['unknown fields are ignored', 'foo: bar\ndata: x\n\n', [{ data: 'x' }]],
  ['a comment line', ': keep-alive\ndata: x\n\n', [{ data: 'x' }]],
  ['a block of comments only dispatches no event', ': ping\n\ndata: x\n\n', [{}, { data: 'x' }]],
  ['CRLF line ends', 'data: a\r\ndata: b\r\n\r\n', [{ data: 'a\nb' }]],
  ['CR line ends', 'data: a\rdata: b\r\r', [{ data: 'a\nb' }]],
  ['mixed line ends', 'data: a\r\ndata: b\rdata: c\n\n', [{ data: 'a\nb\nc' }]],
  ['a leading BOM is not part of the first field', '\uFEFFdata: x\n\n', [{ data: 'x' }]],
  ['extra blank lines make empty blocks, not events', 'data: a\n\n\ndata: b\n\n', [{ data: 'a' }, {}, { data: 'b' }]],
  ['a colon in the value stays', 'data: {"a":1}\n\n', [{ data: '{"a":1}' }]],
  ['UTF-8 text', 'data: héllo ✓ 日本\n\n', [{ data: 'héllo ✓ 日本' }]],
  ['a last event without its blank line (providers do this) still counts', 'data: a\n\ndata: tail', [{ data: 'a' }, { data: 'tail' }]],
  ['an unfinished block of comments at the end is nothing', 'data: a\n\n: bye', [{ data: 'a' }]],
] as const)('%s', (_name, text, expected) => {
  test('whole', () => expect(fields(parse(text))).toEqual(expected as unknown as Record<string, unknown>[]));
  test('cut at every byte offset', () => {
    const bytes = enc.encode(text);
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const parser = new SseParser();
      const out = [...parser.push(bytes.slice(0, cut)), ...parser.push(bytes.slice(cut))];
      const last = parser.end();
      if (last) out.push(last);
      expect(fields(out)).toEqual(expected as unknown as Record<string, unknown>[]);
    }
  });
});

describe('raw bytes', () => {
  const stream = 'data: {"a":1}\r\n\r\n: c\n\ndata: x\ndata: y\n\n';
  test.each([1, 2, 3, 5, 8, 1000])('each block keeps the provider bytes, whatever the reads (%i-byte pieces)', (step) => {
    const blocks = parse(stream, step);
    expect(blocks.map((b) => dec.decode(b.raw)).join('')).toBe(stream);
    expect(blocks.map((b) => b.data)).toEqual(['{"a":1}', undefined, 'x\ny']);
  });

  test('a stream fed one byte at a time gives the same events as in one piece', () => {
    const text = 'event: a\ndata: 1\n\n: c\r\ndata: 2\r\n\r\ndata: 3\r\r';
    expect(fields(parse(text, 1))).toEqual(fields(parse(text)));
  });

  test('an event that never ends cannot grow memory without bound', () => {
    const parser = new SseParser();
    const piece = enc.encode(`data: ${'x'.repeat(1024 * 1024)}`);
    expect(() => {
      for (let i = 0; i <= MAX_BLOCK_BYTES / piece.byteLength + 1; i++) parser.push(piece);
    }).toThrow(SseBlockTooLarge);
  });
});
