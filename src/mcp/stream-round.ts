/**
 * Reads one streamed round of the agent loop, chunk by chunk: assembles the tool calls from their
 * deltas, and decides what the client sees. Everything passes on, the gateway's own MCP tool calls
 * included (clients such as the Go gateway's SDK show them); with hiding on, those calls (and the finish
 * reason that only announced them) are held back, since the gateway answers them itself. Usage is held
 * back: the client gets one sum at the very end.
 */
import type { StreamEvent } from '../exchange/exchange.ts';
import type { ToolCall } from '../schemas.ts';
import type { UsageSum } from './agent-round.ts';
import type { ToolSet } from './tool-set.ts';
import { isRecord } from '../json.ts';

interface PendingCall {
  id: string;
  name: string;
  args: string;
  /** Known once the name arrived. */
  mcp?: boolean;
}

type Json = Record<string, unknown>;


/** Nothing left for the client after holding parts back. */
function isEmptyChunk(json: Json): boolean {
  if (!Array.isArray(json.choices)) return false;
  return json.choices.every(
    (c) => isRecord(c) && (!isRecord(c.delta) || Object.keys(c.delta).length === 0) && c.finish_reason == null && c.logprobs == null,
  );
}

export class RoundAssembler {
  /** The model's text in this round. */
  content = '';
  /** The upstream sent an error event (passed on to the client); the loop ends here. */
  upstreamError = false;
  private readonly slots: PendingCall[] = [];
  private readonly byIndex = new Map<number, PendingCall>();
  private meta: Json = {};

  constructor(
    private readonly tools: ToolSet,
    private readonly usage: UsageSum,
    /** Hold the gateway's own tool calls back from the client (for frameworks that would try to run them). */
    private readonly hideToolCalls: boolean,
  ) {}

  /** Returns the event data to send on (rewritten when parts were held back), or undefined for none. */
  feed(ev: StreamEvent): string | undefined {
    const { data, json } = ev;
    // One `[DONE]` ends the whole loop's stream, not each round.
    if (ev.done) return undefined;
    if (!isRecord(json)) return data;
    if (json.error !== undefined && json.error !== null) {
      this.upstreamError = true;
      return data;
    }
    this.meta = { id: json.id, created: json.created, model: json.model, system_fingerprint: json.system_fingerprint };
    let changed = false;
    if (isRecord(json.usage)) {
      this.usage.add(json.usage);
      delete json.usage;
      changed = true;
    }
    if (Array.isArray(json.choices)) {
      for (const choice of json.choices) if (isRecord(choice) && this.feedChoice(choice)) changed = true;
    }
    if (!changed) return data;
    return isEmptyChunk(json) ? undefined : JSON.stringify(json);
  }

  /** The round's complete tool calls, in the order the model made them. */
  calls(): ToolCall[] {
    return this.slots
      .filter((s) => s.name !== '')
      .map((s) => ({ id: s.id, type: 'function', function: { name: s.name, arguments: s.args } }));
  }

  /** A chunk made by the gateway, shaped like the provider's own. */
  chunk(fields: Json): string {
    return JSON.stringify({ id: this.meta.id, object: 'chat.completion.chunk', created: this.meta.created, model: this.meta.model, ...fields });
  }

  /** Only the first choice drives the loop; the others (n > 1) pass through untouched. */
  private feedChoice(choice: Json): boolean {
    if ((typeof choice.index === 'number' ? choice.index : 0) !== 0) return false;
    let changed = false;
    const delta = choice.delta;
    if (isRecord(delta)) {
      if (typeof delta.content === 'string') this.content += delta.content;
      if (Array.isArray(delta.tool_calls)) {
        const kept = delta.tool_calls.filter((entry: unknown) => !this.track(entry));
        if (kept.length !== delta.tool_calls.length) {
          changed = true;
          if (kept.length > 0) delta.tool_calls = kept;
          else delete delta.tool_calls;
        }
      }
    }
    if (this.hideToolCalls && choice.finish_reason != null && this.slots.some((s) => s.mcp === true) && !this.slots.some((s) => s.mcp === false)) {
      choice.finish_reason = null;
      changed = true;
    }
    return changed;
  }

  /** Adds a tool-call delta to its call; true when that call is the gateway's (so the delta is held back). */
  private track(entry: unknown): boolean {
    if (!isRecord(entry)) return false;
    const slot = this.slotFor(entry);
    const fn = isRecord(entry.function) ? entry.function : {};
    if (typeof entry.id === 'string' && entry.id !== '') slot.id = entry.id;
    // The name comes whole in the first delta; some providers repeat it in every delta.
    if (slot.name === '' && typeof fn.name === 'string') slot.name = fn.name;
    if (typeof fn.arguments === 'string') slot.args += fn.arguments;
    else if (isRecord(fn.arguments)) slot.args += JSON.stringify(fn.arguments);
    if (slot.mcp === undefined && slot.name !== '') slot.mcp = this.tools.get(slot.name) !== undefined;
    return slot.mcp === true && this.hideToolCalls;
  }

  private slotFor(entry: Json): PendingCall {
    const fresh = (): PendingCall => {
      const slot: PendingCall = { id: `call_${crypto.randomUUID()}`, name: '', args: '' };
      this.slots.push(slot);
      return slot;
    };
    if (typeof entry.index === 'number') {
      let slot = this.byIndex.get(entry.index);
      if (!slot) {
        slot = fresh();
        this.byIndex.set(entry.index, slot);
      }
      return slot;
    }
    // Without an index (some providers), a new id starts a new call; anything else continues the last.
    const last = this.slots.at(-1);
    const id = typeof entry.id === 'string' ? entry.id : undefined;
    return last && (id === undefined || id === last.id) ? last : fresh();
  }
}
