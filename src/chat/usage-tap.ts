/** Reads token usage out of a chat stream as it passes, and can drop the usage chunk the client did not ask for. */

export interface TokenUsage {
  input: number;
  output: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

/**
 * Watches SSE bytes. Lines are only parsed when they mention usage, so the common chunk costs a
 * substring search. With `stripUsageChunk`, the stream is cut on event boundaries and the usage-only
 * event is left out; otherwise bytes pass through untouched.
 */
export class UsageTap {
  usage: TokenUsage | undefined;
  private pending = '';

  constructor(private readonly stripUsageChunk: boolean) {}

  /** Returns the bytes to send on (the same bytes unless a usage chunk was dropped). */
  feed(bytes: Uint8Array): Uint8Array {
    const text = this.pending + decoder.decode(bytes, { stream: true });
    if (!this.stripUsageChunk) {
      const cut = text.lastIndexOf('\n');
      this.scan(cut < 0 ? '' : text.slice(0, cut));
      this.pending = cut < 0 ? text : text.slice(cut + 1);
      return bytes;
    }
    const cut = text.lastIndexOf('\n\n');
    if (cut < 0) {
      this.pending = text;
      return new Uint8Array();
    }
    this.pending = text.slice(cut + 2);
    const events = text.slice(0, cut + 2).split(/(?<=\n\n)/);
    const kept = events.filter((event) => !this.scan(event));
    return kept.length === events.length ? encoder.encode(events.join('')) : encoder.encode(kept.join(''));
  }

  /** What is still held back at the end of the stream. */
  flush(): Uint8Array {
    const rest = this.pending;
    this.pending = '';
    if (rest === '') return new Uint8Array();
    return this.scan(rest) && this.stripUsageChunk ? new Uint8Array() : encoder.encode(rest);
  }

  /** Records usage found in `text`; true when it was a usage-only chunk. */
  private scan(text: string): boolean {
    if (!text.includes('"usage"')) return false;
    let usageOnly = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith('data:') || !line.includes('"usage"')) continue;
      try {
        const json: unknown = JSON.parse(line.slice(5));
        const usage = usageOf(json);
        if (usage) this.usage = usage;
        usageOnly ||= isUsageOnlyChunk(json);
      } catch {
        // not JSON: nothing to count
      }
    }
    return usageOnly;
  }
}
