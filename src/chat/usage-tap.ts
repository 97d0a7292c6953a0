/**
 * Watches a chat stream as it passes: checks every event is well-formed, reads token usage, and can
 * drop the usage chunk the client did not ask for. Bytes pass through untouched unless one is dropped.
 */
import { GatewayError } from '../errors.ts';
import { isRecord } from '../json.ts';

export interface TokenUsage {
  input: number;
  output: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const EMPTY = new Uint8Array();
const MAX_EVENT_CHARS = 4 * 1024 * 1024;


/** Usage of a chat completion body or chunk, when it carries one. */
export function usageOf(json: unknown): TokenUsage | undefined {
  if (!isRecord(json) || !isRecord(json.usage)) return undefined;
  const u = json.usage;
  const input = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0;
  const output = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
  return { input, output };
}

/** A usage-only chunk: OpenAI sends it last when `stream_options.include_usage` is on. */
function isUsageOnlyChunk(json: unknown): boolean {
  return isRecord(json) && isRecord(json.usage) && Array.isArray(json.choices) && json.choices.length === 0;
}

function malformed(): never {
  throw new GatewayError(502, 'Provider sent a malformed stream event');
}

export class UsageTap {
  usage: TokenUsage | undefined;
  /** Text of an event whose end has not arrived yet. */
  private pending = '';

  constructor(private readonly stripUsageChunk: boolean) {}

  /** Returns the bytes to send on; throws a GatewayError when the provider sent a broken event. */
  feed(bytes: Uint8Array): Uint8Array {
    const held = this.pending !== '';
    const text = this.pending + decoder.decode(bytes, { stream: true });
    const normalised = text.includes('\r') ? text.replaceAll('\r\n', '\n') : text;
    const cut = normalised.lastIndexOf('\n\n');
    if (cut < 0) {
      // No event is that large; a provider that never ends one is broken, and must not grow memory.
      if (normalised.length > MAX_EVENT_CHARS) malformed();
      this.pending = normalised;
      return this.stripUsageChunk ? EMPTY : bytes;
    }
    this.pending = normalised.slice(cut + 2);
    const events = normalised.slice(0, cut).split('\n\n');
    const dropped = events.map((event) => this.check(event));
    if (!this.stripUsageChunk) return bytes;
    // The common case: whole events, none dropped: the provider's bytes go on as they are.
    if (!held && this.pending === '' && text === normalised && !dropped.includes(true)) return bytes;
    const kept = events.filter((_, i) => !dropped[i]);
    return encoder.encode(kept.map((e) => `${e}\n\n`).join(''));
  }

  /** At a clean end: what is still held back; an unfinished event means the stream was cut. */
  flush(): Uint8Array {
    const rest = this.pending + decoder.decode();
    this.pending = '';
    if (rest.trim() === '') return this.stripUsageChunk ? encoder.encode(rest) : EMPTY;
    // Some providers end without the blank line after the last event; a complete line is still valid.
    if (this.check(rest.trimEnd())) return EMPTY;
    return this.stripUsageChunk ? encoder.encode(`${rest.trimEnd()}\n\n`) : encoder.encode('\n\n');
  }

  /** Checks one event; true when it is a usage-only chunk (to drop when stripping). */
  private check(event: string): boolean {
    let usageOnly = false;
    for (const line of event.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const payload = line.slice(5).trim();
      if (payload === '[DONE]') continue;
      let json: unknown;
      try {
        json = JSON.parse(payload);
      } catch {
        malformed();
      }
      const usage = usageOf(json);
      if (usage) this.usage = usage;
      usageOnly ||= isUsageOnlyChunk(json);
    }
    return usageOnly;
  }
}
