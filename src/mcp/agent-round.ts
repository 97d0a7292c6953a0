/** What both agent loops share: one request's state, the per-round model call and the tool turn. */
import { chatExchange, type ChatClient } from '../chat/forward.ts';
import type { GatewayContext } from '../context.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { clientGoneError } from '../exchange/failure.ts';
import { isRecord } from '../json.ts';
import type { Provider } from '../providers/registry.ts';
import type { ChatMessage, ChatRequest, ToolCall } from '../schemas.ts';
import type { Offer } from './offer.ts';
import { runToolCalls, type ToolCallScope } from './tool-call.ts';
import type { ToolSet } from './tool-set.ts';

/** The finish reason of an answer cut short by MCP_MAX_ITERATIONS while it still asked for MCP tools. */
export const LIMIT_FINISH_REASON = 'length';

/** One chat's agent loop state. Built per request and never shared. */
export interface AgentRun {
  ctx: GatewayContext;
  provider: Provider;
  /** The provider-bound body: the client's messages (growing each round) and own tools; the MCP tools are `offer`'s. */
  body: ChatRequest;
  offer: Offer;
  scope: ToolCallScope;
  maxIterations: number;
  signal: AbortSignal;
  /** The client: each round's exchange is in its record. */
  client: ChatClient;
  /** Streamed rounds pass the MCP tool-call chunks on (the default), or hold them back. */
  hideToolCalls: boolean;
}

/** One model call of the loop, opened (its headers are in); none once the client has gone. */
export async function callModel(run: AgentRun): Promise<Exchange> {
  if (run.signal.aborted) throw clientGoneError();
  return chatExchange(run.ctx, run.provider, run.body, run.client, run.offer.chatTools).open();
}

/** The model's tool calls in a reliable shape: entries without a function name are dropped, ids filled in. */
export function normalizeCalls(raw: unknown): ToolCall[] {
  if (!Array.isArray(raw)) return [];
  const out: ToolCall[] = [];
  for (const entry of raw) {
    if (!isRecord(entry) || !isRecord(entry.function) || typeof entry.function.name !== 'string') continue;
    const args = entry.function.arguments;
    out.push({
      ...entry,
      id: typeof entry.id === 'string' && entry.id !== '' ? entry.id : `call_${crypto.randomUUID()}`,
      type: 'function',
      function: { ...entry.function, name: entry.function.name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    });
  }
  return out;
}

/** Splits the model's tool calls into the gateway's (MCP) and the client's own. */
export function splitCalls(calls: readonly ToolCall[], tools: ToolSet): { mcp: ToolCall[]; client: ToolCall[] } {
  const mcp: ToolCall[] = [];
  const client: ToolCall[] = [];
  for (const call of calls) (tools.get(call.function.name) ? mcp : client).push(call);
  return { mcp, client };
}

/**
 * Runs a turn's MCP calls (concurrently) and appends the assistant's turn and the tool results to the
 * conversation. The assistant turn is rebuilt with only the standard fields: some providers refuse
 * their own extras (reasoning text) when they come back as input.
 */
export async function continueWithTools(run: AgentRun, content: string | null, calls: readonly ToolCall[]): Promise<void> {
  const started = performance.now();
  const results = await runToolCalls(run.scope, calls);
  if (run.client.rec) run.client.rec.toolMs += performance.now() - started;
  const assistant: ChatMessage = {
    role: 'assistant',
    content: content === '' ? null : content,
    tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } })),
  };
  run.body.messages.push(assistant, ...results);
}


const COUNTED = ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const;

/** Token usage summed over the rounds, so the client sees what the whole chat cost. */
export class UsageSum {
  private last?: Record<string, unknown>;
  private readonly sums: Record<string, number> = {};

  add(usage: unknown): void {
    if (!isRecord(usage)) return;
    this.last = usage;
    for (const key of COUNTED) {
      const n = usage[key];
      if (typeof n === 'number') this.sums[key] = (this.sums[key] ?? 0) + n;
    }
  }

  /** The summed usage (other fields from the last round), or undefined when no round reported any. */
  value(): Record<string, unknown> | undefined {
    return this.last ? { ...this.last, ...this.sums } : undefined;
  }
}
