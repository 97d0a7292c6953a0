/**
 * OpenAI Responses request → the gateway's chat request, for providers without a native Responses API.
 * Pure; golden tests in test/protocols/responses-request.test.ts.
 */
import { GatewayError } from '../../errors.ts';
import type { ChatMessage, ChatRequest, ChatTool, ContentPart } from '../../schemas.ts';
import { restoreCallId, toolCall } from '../call-id.ts';
import type { ResponsesInputItem, ResponsesPart, ResponsesRequest, ResponsesTool } from './types.ts';

/** The chat request, and the conversation so far without the instructions (what a continuation starts from). */
export interface TranslatedResponsesRequest {
  chat: ChatRequest;
  conversation: ChatMessage[];
}

function unsupported(what: string): never {
  throw new GatewayError(400, 'invalid_request', `Invalid request body: ${what} is not supported for this provider`);
}

/**
 * The chat request for a Responses request. `previous` is the stored conversation of
 * `previous_response_id`; its instructions are not carried over, as OpenAI documents.
 */
export function responsesToChat(req: ResponsesRequest, previous: readonly ChatMessage[] = []): TranslatedResponsesRequest {
  const conversation = [...previous, ...inputMessages(req.input)];
  const messages: ChatMessage[] = typeof req.instructions === 'string' && req.instructions !== '' ? [{ role: 'system', content: req.instructions }] : [];
  const chat: ChatRequest = { model: req.model, messages: [...messages, ...conversation] };
  if (typeof req.max_output_tokens === 'number') chat.max_tokens = req.max_output_tokens;
  if (typeof req.temperature === 'number') chat.temperature = req.temperature;
  if (typeof req.top_p === 'number') chat.top_p = req.top_p;
  if (typeof req.user === 'string') chat.user = req.user;
  const tools = (req.tools ?? []).flatMap(translateTool);
  if (tools.length > 0) {
    chat.tools = tools;
    const choice = translateToolChoice(req.tool_choice);
    if (choice !== undefined) chat.tool_choice = choice;
    if (typeof req.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = req.parallel_tool_calls;
  }
  const effort = req.reasoning?.effort;
  // `xhigh` is OpenAI's newest level; chat providers know at most `high`.
  if (typeof effort === 'string') chat.reasoning_effort = effort === 'xhigh' ? 'high' : effort;
  const format = responseFormat(req.text?.format);
  if (format) chat.response_format = format;
  if (req.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return { chat, conversation };
}

/** `input` as chat messages: consecutive assistant text and function calls join one assistant message. */
export function inputMessages(input: ResponsesRequest['input']): ChatMessage[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const out: ChatMessage[] = [];
  input.forEach((item, i) => {
    const type = item.type ?? 'message';
    if (type === 'message') out.push(message(item, i));
    else if (type === 'function_call') addCall(out, item);
    else if (type === 'function_call_output') out.push({ role: 'tool', tool_call_id: restoreCallId(item.call_id ?? '').id, content: outputText(item.output) });
    // Held as an assistant turn of its own until merged with the calls it led to.
    else if (type === 'reasoning') out.push({ role: 'assistant', content: null, reasoning_content: reasoningText(item) });
    else unsupported(`input item type '${type}' (input.${i})`);
  });
  return mergeAssistants(out);
}

function message(item: ResponsesInputItem, i: number): ChatMessage {
  // Most chat providers know no `developer` role; it means what `system` means to them.
  const role = item.role === 'developer' ? 'system' : (item.role ?? 'user');
  if (typeof item.content === 'string') return { role, content: item.content };
  const parts = (item.content ?? []).map((p, j) => part(p, `input.${i}.content.${j}`));
  if (role !== 'user' || parts.every((p) => p.type === 'text')) return { role, content: parts.map((p) => p.text ?? '').join('') };
  return { role, content: parts };
}

function part(p: ResponsesPart, at: string): ContentPart {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: p.text ?? '' };
    case 'refusal':
      return { type: 'text', text: p.refusal ?? '' };
    case 'input_image':
      if (typeof p.image_url !== 'string') unsupported(`an image by file_id (${at})`);
      return { type: 'image_url', image_url: isDetail(p.detail) ? { url: p.image_url, detail: p.detail } : { url: p.image_url } };
    case 'input_file':
      if (typeof p.file_data !== 'string') unsupported(`a file by file_id or URL (${at})`);
      return { type: 'file', file: { file_data: p.file_data, filename: p.filename ?? 'file' } } as ContentPart;
    default:
      return unsupported(`content part type '${p.type}' (${at})`);
  }
}

const DETAILS = ['auto', 'low', 'high'] as const;
function isDetail(d: unknown): d is (typeof DETAILS)[number] {
  return DETAILS.includes(d as (typeof DETAILS)[number]);
}

function addCall(out: ChatMessage[], item: ResponsesInputItem): void {
  out.push({ role: 'assistant', content: null, tool_calls: [toolCall(item.call_id ?? '', item.name ?? '', item.arguments ?? '')] });
}

/** The text of a reasoning item: its reasoning text, else its summary. */
function reasoningText(item: ResponsesInputItem): string {
  const parts = (Array.isArray(item.content) ? item.content : []).concat(Array.isArray(item.summary) ? (item.summary as ResponsesPart[]) : []);
  return parts.flatMap((p) => (typeof p.text === 'string' ? [p.text] : [])).join('');
}

const isReasoningOnly = (m: ChatMessage) => m.role === 'assistant' && m.content === null && !m.tool_calls && m.reasoning_content !== undefined;

/**
 * Reasoning, assistant text and the function calls that follow are one chat turn, as the provider
 * produced it. Reasoning stays only on a tool-call turn, as `reasoning_content` (DeepSeek and Moonshot
 * refuse such a turn without it; provider-fit.ts removes it for the others).
 */
function mergeAssistants(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if (last && isReasoningOnly(last) && m.role === 'assistant') {
      out[out.length - 1] = { ...m, reasoning_content: `${String(last.reasoning_content)}${typeof m.reasoning_content === 'string' ? m.reasoning_content : ''}` };
    } else if (last?.role === 'assistant' && m.role === 'assistant' && m.tool_calls && (last.tool_calls || typeof last.content === 'string')) {
      last.tool_calls = [...(last.tool_calls ?? []), ...m.tool_calls];
      if (last.content === '') last.content = null;
    } else out.push(m);
  }
  const kept = out.filter((m) => !isReasoningOnly(m));
  for (const m of kept) if (!m.tool_calls || m.reasoning_content === '') delete m.reasoning_content;
  return kept;
}

/** A function output as text: chat tool messages hold text only. */
function outputText(output: ResponsesInputItem['output']): string {
  if (typeof output === 'string') return output;
  return (output ?? []).flatMap((p) => (typeof p.text === 'string' ? [p.text] : [])).join('');
}

/** Function tools only: OpenAI's hosted tools (web search, file search, ...) have no chat equivalent. */
function translateTool(t: ResponsesTool): ChatTool[] {
  if (t.type !== 'function' || typeof t.name !== 'string') return [];
  const fn: ChatTool['function'] = { name: t.name };
  if (typeof t.description === 'string') fn.description = t.description;
  if (t.parameters) fn.parameters = t.parameters;
  if (typeof t.strict === 'boolean') fn.strict = t.strict;
  return [{ type: 'function', function: fn }];
}

function translateToolChoice(c: ResponsesRequest['tool_choice']): unknown {
  if (c === undefined) return undefined;
  if (typeof c === 'string') return c;
  if (c.type === 'function' && typeof c.name === 'string') return { type: 'function', function: { name: c.name } };
  // allowed_tools narrows the set; chat can only say whether a call is required.
  if (c.type === 'allowed_tools') return c.mode === 'required' ? 'required' : 'auto';
  return undefined;
}

function responseFormat(f: NonNullable<ResponsesRequest['text']>['format']): Record<string, unknown> | undefined {
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type !== 'json_schema') return undefined;
  const schema: Record<string, unknown> = { name: f.name ?? 'response', schema: f.schema ?? {} };
  if (typeof f.strict === 'boolean') schema.strict = f.strict;
  if (typeof f.description === 'string') schema.description = f.description;
  return { type: 'json_schema', json_schema: schema };
}
