/**
 * The one incremental parser of `text/event-stream` (WHATWG HTML, "Server-sent events": fields, comments,
 * CR / LF / CRLF line ends, a leading BOM, events split across reads). It works on bytes, so each block
 * keeps the provider's own bytes: where the gateway changes nothing, they are what goes out.
 */

/** One block of a stream: its lines up to and including the blank line that ends it. */
export interface SseBlock {
  /** The block's bytes exactly as the provider sent them. */
  raw: Uint8Array;
  /** The event's data (its `data` lines joined by LF); absent when the block dispatches no event (comments only). */
  data?: string;
  event?: string;
  id?: string;
  retry?: number;
}

const LF = 10;
const CR = 13;
const EMPTY = new Uint8Array(0);
/** No provider sends an event this large; one that never ends an event must not grow memory. */
export const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

/** Thrown when a block grows past MAX_BLOCK_BYTES without ending. */
export class SseBlockTooLarge extends Error {
  override readonly name = 'SseBlockTooLarge';
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** Parses the fields of one block's text (without its final blank line). */
export function parseBlock(raw: Uint8Array, text: string): SseBlock {
  const block: SseBlock = { raw };
  let data: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '' || line.charCodeAt(0) === 58 /* ':' comment */) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'event') block.event = value;
    else if (field === 'id') {
      if (!value.includes('\0')) block.id = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) block.retry = Number(value);
  }
  if (data !== undefined) block.data = data;
  return block;
}

/** Splits a byte stream into blocks as they complete; feed it every read, then `end()`. */
export class SseParser {
  private pending: Uint8Array = EMPTY;
  /** How far `pending` was already scanned, and whether that point is a line start. */
  private scanned = 0;
  private atLineStart = true;
  /** The last read ended in CR: an LF first in the next one is the rest of that line end. */
  private crAtEnd = false;
  private first = true;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  /** The blocks this read completed; `pending` keeps the start of the next. */
  push(chunk: Uint8Array): SseBlock[] {
    const buf = joined(this.pending, chunk);
    let i = this.scanned;
    if (this.crAtEnd && buf[i] === LF) i++;
    this.crAtEnd = false;
    const blocks: SseBlock[] = [];
    let start = 0;
    let lineStart = this.atLineStart;
    const n = buf.byteLength;
    while (i < n) {
      const b = buf[i]!;
      if (b !== LF && b !== CR) {
        lineStart = false;
        i++;
        continue;
      }
      let end = i + 1;
      if (b === CR) {
        if (end < n && buf[end] === LF) end++;
        else if (end === n) this.crAtEnd = true;
      }
      if (lineStart) {
        const raw = buf.subarray(start, end);
        blocks.push(parseBlock(raw, this.text(raw)));
        start = end;
      }
      lineStart = true;
      i = end;
    }
    this.atLineStart = lineStart;
    const rest = n - start;
    if (rest > MAX_BLOCK_BYTES) throw new SseBlockTooLarge(`an event grew past ${MAX_BLOCK_BYTES} bytes without ending`);
    // Copied: a view would pin the whole read's buffer for as long as the event takes to finish.
    this.pending = rest === 0 ? EMPTY : buf.slice(start);
    this.scanned = rest;
    return blocks;
  }

  /** Bytes of an event that has not ended yet. */
  get held(): number {
    return this.pending.byteLength;
  }

  /**
   * At the end of the stream: what was held. The standard drops an unfinished event; providers that end
   * their last event without the blank line mean it, so a held block with data is still an event.
   */
  end(): SseBlock | undefined {
    const rest = this.pending;
    this.pending = EMPTY;
    this.scanned = 0;
    if (rest.byteLength === 0) return undefined;
    const block = parseBlock(rest, this.text(rest));
    return block.data === undefined ? undefined : block;
  }

  private text(raw: Uint8Array): string {
    let bytes = raw;
    if (this.first) {
      this.first = false;
      // The stream's first BOM is not part of the first field name.
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    return this.decoder.decode(bytes);
  }
}
