/**
 * Chat completion chunks → the Responses streaming events
 * (https://platform.openai.com/docs/api-reference/responses-streaming), one chunk at a time, each event
 * numbered by `sequence_number`: `response.created`, `response.in_progress`, then per output item
 * `response.output_item.added`, its parts and deltas and `response.output_item.done`, and last
 * `response.completed` (or `response.incomplete`) with the whole Response, or `response.failed`.
 * Text and arguments are sent on as they arrive; they are also kept, because the `.done` events and the
 * final Response repeat them whole.
 *
 * Use: `chunk(c)` per parsed chunk, `end()` at a clean end, `fail(m)` when it broke after the start.
 * After `end()`, `response()` is the finished Response (for the conversation store).
 */
import { readChunk, type ChatChunk, type ChatUsage, type ToolCallDelta } from '../chat-completion.ts';
import { exposeCallId } from '../call-id.ts';
import { baseResponse, finishResponse, itemId, type ResponseContext } from './answer.ts';
import type { ResponseObject, ResponsesOutputItem } from './types.ts';

type Item = ResponsesOutputItem;
type Kind = 'message' | 'reasoning' | 'function_call';

/** Turns one provider stream into one Responses event stream. */
export class ResponsesStreamEncoder {
  private seq = 0;
  private started = false;
  private finished = false;
  private readonly output: Item[] = [];
  /** Index in `output` of the item being written. */
  private open: number | undefined;
  private readonly calls = new Map<number, number>();
  private finish: string | null = null;
  private usage: ChatUsage | undefined;
  private final: ResponseObject | undefined;

  constructor(private readonly ctx: ResponseContext) {}

  /** The events for one parsed chunk. */
  chunk(c: ChatChunk): string {
    if (this.finished) return '';
    let out = this.start();
    const { usage, choice, text, reasoning } = readChunk(c);
    if (usage) this.usage = usage;
    if (!choice) return out;
    if (reasoning !== '') out += this.textDelta('reasoning', reasoning);
    if (text !== '') out += this.textDelta('message', text);
    for (const call of choice.delta?.tool_calls ?? []) out += this.callDelta(call);
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  /** Closes the open item and sends the finished Response. */
  end(): string {
    if (this.finished) return '';
    let out = this.start() + this.closeOpen();
    this.finished = true;
    this.final = finishResponse(this.ctx, this.output, this.finish, this.usage);
    out += this.event(this.final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: this.final });
    return out;
  }

  /** `response.failed` with the message; nothing follows it. */
  fail(message: string): string {
    if (this.finished) return '';
    const out = this.start();
    this.finished = true;
    const response = { ...baseResponse(this.ctx), status: 'failed', output: this.output, error: { code: 'server_error', message } };
    return out + this.event('response.failed', { response });
  }

  /** The finished Response, once `end()` ran. */
  response(): ResponseObject | undefined {
    return this.final;
  }

  private event(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: this.seq++ })}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = baseResponse(this.ctx);
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  /** Opens an item of `kind` at the end of the output (closing the one before). */
  private openItem(kind: Kind, item: Item): string {
    let out = this.closeOpen();
    const index = this.output.length;
    this.output.push(item);
    this.open = index;
    out += this.event('response.output_item.added', { output_index: index, item: structuredClone(item) });
    if (kind === 'message') out += this.partEvent('response.content_part.added', index, { type: 'output_text', text: '', annotations: [] });
    if (kind === 'reasoning') out += this.partEvent('response.content_part.added', index, { type: 'reasoning_text', text: '' });
    return out;
  }

  private partEvent(type: string, index: number, part: Record<string, unknown>): string {
    return this.event(type, { item_id: this.output[index]?.id, output_index: index, content_index: 0, part });
  }

  private textDelta(kind: 'message' | 'reasoning', delta: string): string {
    let out = '';
    let item = this.open === undefined ? undefined : this.output[this.open];
    if (item?.type !== kind) {
      const id = itemId(this.ctx, kind === 'message' ? 'msg' : 'rs', this.output.length);
      const fresh: Item =
        kind === 'message'
          ? { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] }
          : { type: 'reasoning', id, summary: [], content: [] };
      out += this.openItem(kind, fresh);
      item = fresh;
      // The final item holds one part; it is created empty here and grows with each delta.
      if (item.type === 'message') item.content.push({ type: 'output_text', text: '', annotations: [] });
      else if (item.type === 'reasoning') item.content.push({ type: 'reasoning_text', text: '' });
    }
    const part = item.type === 'message' || item.type === 'reasoning' ? item.content[0] : undefined;
    if (part) part.text += delta;
    const type = kind === 'message' ? 'response.output_text.delta' : 'response.reasoning_text.delta';
    const extra = kind === 'message' ? { logprobs: [] } : {};
    return out + this.event(type, { item_id: item.id, output_index: this.open, content_index: 0, delta, ...extra });
  }

  private callDelta(call: ToolCallDelta): string {
    const callIndex = call.index ?? 0;
    let out = '';
    let index = this.calls.get(callIndex);
    if (index === undefined) {
      index = this.output.length;
      const id = itemId(this.ctx, 'fc', index);
      const item: Item = { type: 'function_call', id, call_id: call.id ? exposeCallId(call.id, call.extra_content) : `call_${id}`, name: call.function?.name ?? '', arguments: '', status: 'in_progress' };
      out += this.openItem('function_call', item);
      this.calls.set(callIndex, index);
    }
    const item = this.output[index];
    const args = call.function?.arguments ?? '';
    if (item?.type !== 'function_call' || args === '') return out;
    item.arguments += args;
    return out + this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: args });
  }

  /** The `.done` events of the open item. */
  private closeOpen(): string {
    if (this.open === undefined) return '';
    const index = this.open;
    this.open = undefined;
    const item = this.output[index];
    if (!item) return '';
    let out = '';
    if (item.type === 'message' || item.type === 'reasoning') {
      const part = item.content[0];
      const text = part?.text ?? '';
      const base = { item_id: item.id, output_index: index, content_index: 0, text };
      out += this.event(item.type === 'message' ? 'response.output_text.done' : 'response.reasoning_text.done', item.type === 'message' ? { ...base, logprobs: [] } : base);
      out += this.partEvent('response.content_part.done', index, { ...part });
    } else {
      out += this.event('response.function_call_arguments.done', { item_id: item.id, output_index: index, name: item.name, arguments: item.arguments });
    }
    if (item.type === 'function_call') item.status = 'completed';
    // A message cut by the token limit is incomplete, as OpenAI marks it.
    if (item.type === 'message') item.status = this.finish === 'length' ? 'incomplete' : 'completed';
    return out + this.event('response.output_item.done', { output_index: index, item: structuredClone(item) });
  }
}
