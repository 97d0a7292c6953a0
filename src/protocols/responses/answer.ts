/**
 * A chat completion → the Response object, and the assistant turn a continuation will start from.
 * Pure; golden tests in test/protocols/responses-answer.test.ts.
 */
import type { ChatMessage, ToolCall } from '../../schemas.ts';
import { exposeCallId, toolCall } from '../call-id.ts';
import { splitContent, type ChatCompletion, type ChatUsage } from '../chat-completion.ts';
import type { ResponseObject, ResponsesOutputItem, ResponsesRequest, ResponsesUsage } from './types.ts';

/** What every Response of one request shares. */
export interface ResponseContext {
  /** `resp_…`; item ids are made from it. */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  request: ResponsesRequest;
  /** The model as the client named it. */
  model: string;
}

/** A fresh response id. */
export function newResponseId(): string {
  return `resp_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** The id of the output item at `index`, of kind `prefix` (msg, fc, rs). */
export function itemId(ctx: ResponseContext, prefix: string, index: number): string {
  return `${prefix}_${ctx.id.replace(/^resp_/, '')}_${index}`;
}

/** The Response before any output: what `response.created` carries. */
export function baseResponse(ctx: ResponseContext): ResponseObject {
  const r = ctx.request;
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: typeof r.instructions === 'string' ? r.instructions : null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: ctx.model,
    output: [],
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: { effort: r.reasoning?.effort ?? null, summary: r.reasoning?.summary ?? null },
    store: r.store ?? true,
    temperature: r.temperature ?? null,
    text: r.text ?? { format: { type: 'text' } },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_p: r.top_p ?? null,
    truncation: 'disabled',
    usage: null,
    metadata: r.metadata ?? {},
  };
}

/** The finished Response: `length` and `content_filter` make it incomplete, as OpenAI reports them. */
export function finishResponse(ctx: ResponseContext, output: ResponsesOutputItem[], finish: string | null | undefined, usage: ChatUsage | undefined): ResponseObject {
  const reason = finish === 'length' ? 'max_output_tokens' : finish === 'content_filter' ? 'content_filter' : undefined;
  return {
    ...baseResponse(ctx),
    status: reason ? 'incomplete' : 'completed',
    incomplete_details: reason ? { reason } : null,
    output,
    usage: responsesUsage(usage),
  };
}

/** The Response for a chat completion (first choice). */
export function chatToResponse(completion: ChatCompletion, ctx: ResponseContext): ResponseObject {
  const choice = completion.choices?.[0];
  const { text, reasoning } = splitContent(choice?.message);
  const output: ResponsesOutputItem[] = [];
  const status = choice?.finish_reason === 'length' ? 'incomplete' : 'completed';
  if (reasoning !== '') output.push({ type: 'reasoning', id: itemId(ctx, 'rs', output.length), summary: [], content: [{ type: 'reasoning_text', text: reasoning }] });
  if (text !== '') {
    const content = [{ type: 'output_text' as const, text, annotations: [] }];
    output.push({ type: 'message', id: itemId(ctx, 'msg', output.length), status, role: 'assistant', content });
  }
  for (const call of choice?.message?.tool_calls ?? []) output.push(functionCallItem(itemId(ctx, 'fc', output.length), call, 'completed'));
  return finishResponse(ctx, output, choice?.finish_reason, completion.usage ?? undefined);
}

/** A chat tool call as a `function_call` item. */
export function functionCallItem(id: string, call: ToolCall, status: string): ResponsesOutputItem {
  return { type: 'function_call', id, call_id: exposeCallId(call.id, call.extra_content), name: call.function.name, arguments: call.function.arguments, status };
}

/** The assistant's turn of a finished Response as a chat message, for the conversation store. */
export function assistantTurn(output: readonly ResponsesOutputItem[]): ChatMessage {
  let text = '';
  let reasoning = '';
  const calls: ToolCall[] = [];
  for (const item of output) {
    if (item.type === 'message') text += item.content.map((p) => p.text).join('');
    else if (item.type === 'function_call') calls.push(toolCall(item.call_id, item.name, item.arguments));
    else reasoning += item.content.map((p) => p.text).join('');
  }
  if (calls.length === 0) return { role: 'assistant', content: text };
  const turn: ChatMessage = { role: 'assistant', content: text === '' ? null : text, tool_calls: calls };
  // As request.ts keeps it: reasoning on a tool-call turn (provider-fit.ts drops it where unwanted).
  if (reasoning !== '') turn.reasoning_content = reasoning;
  return turn;
}

/** Chat usage → Responses usage. */
export function responsesUsage(u: ChatUsage | undefined): ResponsesUsage | null {
  if (!u) return null;
  const input = u.prompt_tokens ?? 0;
  const output = u.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u.total_tokens ?? input + output,
  };
}
