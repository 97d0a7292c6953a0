/**
 * Chat completion chunks → Anthropic's streaming events, one chunk at a time
 * (https://docs.anthropic.com/en/api/messages-streaming): `message_start`, then each content block as
 * `content_block_start`, deltas and `content_block_stop`, then `message_delta` (stop reason, usage) and
 * `message_stop`. Tool calls open a `tool_use` block when their first fragment arrives and send each
 * arguments fragment on as `input_json_delta`: nothing is held back to be parsed whole.
 *
 * Use: `chunk(c)` for every parsed chunk, `end()` when the provider's stream ended cleanly, `fail(m)`
 * when it broke after the start, `ping()` while waiting. Each returns the SSE text to write (maybe '').
 */
import { readChunk, type ChatChunk, type ChatUsage, type ToolCallDelta } from '../chat-completion.ts';
import { exposeCallId } from '../call-id.ts';
import { anthropicUsage, messageId, stopOf } from './answer.ts';

/** How the stream begins. */
export interface AnthropicStreamOptions {
  /** The model as the client named it. */
  model: string;
  /** The message id; one is made when absent. */
  id?: string;
  stopSequences?: readonly string[];
}

type OpenBlock = { kind: 'text' | 'thinking' | 'tool'; index: number };

/** Longest text kept to recognise a stop sequence the provider left at the end. */
const TAIL_CHARS = 256;

/** One SSE event as Anthropic writes it. */
export function anthropicEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Turns one provider stream into one Anthropic event stream. */
export class AnthropicStreamEncoder {
  private readonly id: string;
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  /** Block index of each tool call seen, by the provider's tool call index. */
  private readonly toolBlocks = new Map<number, number>();
  private finish: string | null = null;
  private usage: ChatUsage | undefined;
  private sawToolCall = false;
  private tail = '';
  private stopNamed: unknown;

  constructor(private readonly opts: AnthropicStreamOptions) {
    this.id = messageId(opts.id);
  }

  /** The events for one parsed chunk. */
  chunk(c: ChatChunk): string {
    if (this.finished) return '';
    let out = this.start();
    const { usage, choice, text, reasoning } = readChunk(c);
    if (usage) this.usage = usage;
    if (!choice) return out;
    if (reasoning !== '') out += this.delta('thinking', { type: 'thinking_delta', thinking: reasoning });
    if (text !== '') {
      out += this.delta('text', { type: 'text_delta', text });
      this.tail = (this.tail + text).slice(-TAIL_CHARS);
    }
    for (const call of choice.delta?.tool_calls ?? []) out += this.toolDelta(call);
    if (choice.finish_reason) this.finish = choice.finish_reason;
    if (choice.stop_reason !== undefined || choice.matched_stop !== undefined) this.stopNamed = choice.stop_reason ?? choice.matched_stop;
    return out;
  }

  /** The closing events: the open block's stop, `message_delta` with stop reason and usage, `message_stop`. */
  end(): string {
    if (this.finished) return '';
    let out = this.start() + this.closeOpen();
    this.finished = true;
    const named = typeof this.stopNamed === 'string' ? this.stopNamed : undefined;
    const stops = this.opts.stopSequences ?? [];
    const sequence = named !== undefined && stops.includes(named) ? named : (stops.find((s) => s !== '' && this.tail.endsWith(s)) ?? null);
    const stop = stopOf(this.finish, this.sawToolCall, sequence);
    const usage = anthropicUsage(this.usage);
    out += anthropicEvent('message_delta', { delta: { stop_reason: stop.reason, stop_sequence: stop.sequence }, usage });
    return out + anthropicEvent('message_stop', {});
  }

  /** Anthropic's keep-alive event. */
  ping(): string {
    if (this.finished) return '';
    return this.start() + anthropicEvent('ping', {});
  }

  /** Anthropic's in-stream error event; nothing follows it. */
  fail(message: string): string {
    if (this.finished) return '';
    this.finished = true;
    return anthropicEvent('error', { error: { type: 'api_error', message } });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const message = {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    return anthropicEvent('message_start', { message });
  }

  /** A text or thinking delta, opening its block (and closing another) when needed. */
  private delta(kind: 'text' | 'thinking', delta: Record<string, unknown>): string {
    let out = '';
    if (this.open?.kind !== kind) {
      out += this.closeOpen();
      const index = this.nextIndex++;
      this.open = { kind, index };
      const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
      out += anthropicEvent('content_block_start', { index, content_block: block });
    }
    return out + anthropicEvent('content_block_delta', { index: this.open.index, delta });
  }

  private toolDelta(call: ToolCallDelta): string {
    this.sawToolCall = true;
    const callIndex = call.index ?? 0;
    let out = '';
    let index = this.toolBlocks.get(callIndex);
    if (index === undefined) {
      out += this.closeOpen();
      index = this.nextIndex++;
      this.toolBlocks.set(callIndex, index);
      this.open = { kind: 'tool', index };
      const id = call.id ? exposeCallId(call.id, call.extra_content) : `toolu_${this.id.replace(/^msg_/, '')}_${callIndex}`;
      const block = { type: 'tool_use', id, name: call.function?.name ?? '', input: {} };
      out += anthropicEvent('content_block_start', { index, content_block: block });
    }
    // A fragment for a call whose block was closed (providers that interleave calls) still goes to its index.
    const args = call.function?.arguments ?? '';
    if (args !== '') out += anthropicEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args } });
    return out;
  }

  private closeOpen(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return anthropicEvent('content_block_stop', { index });
  }
}
