/**
 * The one incremental parser of `text/event-stream` (WHATWG HTML, "Server-sent events": fields, comments,
 * CR / LF / CRLF line ends, a leading BOM, events split across reads). Each block keeps the provider's
 * own text; where the gateway changes nothing, the read's own bytes are what goes out (exchange.ts).
 */

const encoder = new TextEncoder();
/** No provider sends an event this large; one that never ends an event must not grow memory. */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/** Thrown when a block grows past MAX_BLOCK_BYTES without ending. */
export class SseBlockTooLarge extends Error {
  override readonly name = 'SseBlockTooLarge';
}

/** One block of a stream: its lines up to and including the blank line that ends it. */
export class SseBlock {
  /** The event's data (its `data` lines joined by LF); absent when the block dispatches no event (comments only). */
  data?: string;
  event?: string;
  id?: string;
  retry?: number;
  private bytes: Uint8Array | undefined;

  /**
   * `text` is the block as the provider wrote it, line ends and blank line included; when `read` is
   * given, the block is `read`'s bytes from `at` on (an ASCII read: one byte per character).
   */
  constructor(
    readonly text: string,
    private readonly read?: Uint8Array,
    private readonly at = 0,
  ) {}

  /** The block's bytes (valid UTF-8 encodes back to exactly what was sent); made only when asked for. */
  get raw(): Uint8Array {
    // Most reads go out whole, so most blocks are never asked: no view or copy until one is.
    this.bytes ??= this.read ? this.read.subarray(this.at, this.at + this.text.length) : encoder.encode(this.text);
    return this.bytes;
  }
}

/** Applies one line's field to the block (a comment or an empty line does nothing). */
function field(block: SseBlock, line: string): void {
  if (line === '' || line.charCodeAt(0) === COLON) return;
  const colon = line.indexOf(':');
  const name = colon < 0 ? line : line.slice(0, colon);
  let value = colon < 0 ? '' : line.slice(colon + 1);
  if (value.charCodeAt(0) === SPACE) value = value.slice(1);
  if (name === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
  else if (name === 'event') block.event = value;
  else if (name === 'id') {
    if (!value.includes('\0')) block.id = value;
  } else if (name === 'retry' && /^\d+$/.test(value)) block.retry = Number(value);
}

/** Parses a block's text into its fields; `read` and `at` as in SseBlock. */
export function parseBlock(text: string, read?: Uint8Array, at?: number): SseBlock {
  const block = new SseBlock(text, read, at);
  // The common block: `data: …` alone on one LF line, then the blank line.
  if (text.startsWith('data: ') && text.indexOf('\n') === text.length - 2 && text.charCodeAt(text.length - 1) === LF && !text.includes('\r')) {
    block.data = text.slice(6, -2);
    return block;
  }
  for (const line of text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n')) field(block, line);
  return block;
}

/** Splits a stream into blocks as they complete; feed it every read, then `end()`. */
export class SseParser {
  private pending = '';
  /** How far `pending` was scanned, and whether that point is a line start (a blank line there ends the block). */
  private scanned = 0;
  private atLineStart = true;
  /** The last read ended in CR: an LF first in the next one is the rest of that line end. */
  private crAtEnd = false;
  private first = true;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  /** The blocks this read completed; the start of the next is held. */
  push(chunk: Uint8Array): SseBlock[] {
    let decoded = this.decoder.decode(chunk, { stream: true });
    if (this.first && decoded !== '') {
      this.first = false;
      // The stream's first BOM is not part of the first field name.
      if (decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
    }
    // An ASCII read that starts a block: text offsets are byte offsets, so each block's bytes are a view
    // of the read (most reads are JSON events in ASCII), not an encoding of its text.
    const sameOffsets = this.pending === '' && decoded.length === chunk.byteLength;
    const text = this.pending + decoded;
    let i = this.scanned;
    if (this.crAtEnd && text.charCodeAt(i) === LF) i++;
    this.crAtEnd = false;
    const blocks: SseBlock[] = [];
    let start = 0;
    let lineStart = this.atLineStart;
    const n = text.length;
    // Most streams never send a CR: their lines are found with indexOf; the rest are walked.
    const onlyLf = text.indexOf('\r', i) < 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) {
        lineStart = false;
        if (!onlyLf) {
          i++;
          continue;
        }
        const lf = text.indexOf('\n', i);
        i = lf < 0 ? n : lf;
        continue;
      }
      let end = i + 1;
      if (c === CR) {
        if (end < n && text.charCodeAt(end) === LF) end++;
        else if (end === n) this.crAtEnd = true;
      }
      if (lineStart) {
        blocks.push(parseBlock(text.slice(start, end), sameOffsets ? chunk : undefined, start));
        start = end;
      }
      lineStart = true;
      i = end;
    }
    this.atLineStart = lineStart;
    this.pending = start === n ? '' : text.slice(start);
    this.scanned = this.pending.length;
    if (this.pending.length > MAX_BLOCK_BYTES) throw new SseBlockTooLarge(`an event grew past ${MAX_BLOCK_BYTES} bytes without ending`);
    return blocks;
  }

  /** Characters of an event that has not ended yet. */
  get held(): number {
    return this.pending.length;
  }

  /**
   * At the end of the stream: what was held. The standard drops an unfinished event; providers that end
   * their last event without the blank line mean it, so a held block with data is still an event.
   */
  end(): SseBlock | undefined {
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    this.scanned = 0;
    if (rest === '') return undefined;
    const block = parseBlock(rest);
    return block.data === undefined ? undefined : block;
  }
}
