/**
 * Anthropic Messages request → the gateway's chat request, for providers without a native Messages API.
 * Pure: the same request always gives the same chat body. Golden tests: test/protocols/anthropic-request.test.ts.
 */
import type { ChatMessage, ChatRequest, ChatTool, ContentPart, ToolCall } from '../../schemas.ts';
import { restoreCallId, toolCall } from '../call-id.ts';
import type { AnthropicBlockParam, AnthropicMessageParam, AnthropicRequest, AnthropicTool, AnthropicToolChoice } from './types.ts';

/** The chat request for an Anthropic request; `model` is kept as the client wrote it (routing resolves it). */
export function anthropicToChat(req: AnthropicRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = systemText(req.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const m of req.messages) messages.push(...translateMessage(m));
  const chat: ChatRequest = { model: req.model, messages };
  if (req.max_tokens !== undefined) chat.max_tokens = req.max_tokens;
  if (req.temperature !== undefined) chat.temperature = req.temperature;
  if (req.top_p !== undefined) chat.top_p = req.top_p;
  if (req.stop_sequences && req.stop_sequences.length > 0) chat.stop = req.stop_sequences;
  // metadata.user_id is not passed on as `user`: Claude Code always sends one, and strict providers
  // (Mistral) refuse fields they do not know.
  const tools = (req.tools ?? []).flatMap(translateTool);
  if (tools.length > 0) {
    chat.tools = tools;
    if (req.tool_choice) Object.assign(chat, translateToolChoice(req.tool_choice));
  }
  const effort = reasoningEffort(req);
  if (effort) chat.reasoning_effort = effort;
  if (req.stream === true) {
    chat.stream = true;
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

/** A system prompt given as blocks is one text: chat providers take a string most reliably. */
function systemText(system: AnthropicRequest['system']): string {
  if (system === undefined) return '';
  if (typeof system === 'string') return system;
  return system.flatMap((b) => (typeof b.text === 'string' ? [b.text] : [])).join('\n\n');
}

function translateMessage(m: AnthropicMessageParam): ChatMessage[] {
  if (m.role === 'system') return [{ role: 'system', content: typeof m.content === 'string' ? m.content : systemText(m.content) }];
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }];
  return m.role === 'assistant' ? [assistantMessage(m.content)] : userMessages(m.content);
}

/**
 * Text blocks become the content, tool_use blocks the tool calls. Thinking goes back only on a tool-call
 * turn, as `reasoning_content` (DeepSeek and Moonshot refuse such a turn without it; provider-fit.ts
 * removes it for the others).
 */
function assistantMessage(blocks: AnthropicBlockParam[]): ChatMessage {
  const text = blocks.flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('');
  const calls: ToolCall[] = blocks
    .filter((b) => b.type === 'tool_use')
    .map((b) => toolCall(b.id ?? '', b.name ?? '', JSON.stringify(b.input ?? {})));
  if (calls.length === 0) return { role: 'assistant', content: text };
  const msg: ChatMessage = { role: 'assistant', content: text === '' ? null : text, tool_calls: calls };
  const thinking = blocks.flatMap((b) => (b.type === 'thinking' && typeof b.thinking === 'string' ? [b.thinking] : [])).join('');
  if (thinking !== '') msg.reasoning_content = thinking;
  return msg;
}

/**
 * Tool results become `tool` messages, first: chat requires them right after the assistant's tool calls.
 * What else the user sent (and any image a tool returned, which a tool message cannot hold) follows as
 * one user message.
 */
function userMessages(blocks: AnthropicBlockParam[]): ChatMessage[] {
  const tools: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const b of blocks) {
    if (b.type === 'tool_result') {
      const result = toolResult(b);
      tools.push(result.message);
      parts.push(...result.images);
    } else {
      const part = contentPart(b);
      if (part) parts.push(part);
    }
  }
  if (parts.length === 0) return tools;
  const onlyText = parts.every((p) => p.type === 'text');
  const content = onlyText && parts.length === 1 ? (parts[0]?.text ?? '') : parts;
  return [...tools, { role: 'user', content }];
}

function toolResult(b: AnthropicBlockParam): { message: ChatMessage; images: ContentPart[] } {
  const blocks = typeof b.content === 'string' ? [{ type: 'text', text: b.content }] : (b.content ?? []);
  const text = blocks.flatMap((c) => (c.type === 'text' && typeof c.text === 'string' ? [c.text] : [])).join('\n');
  const images = blocks.filter((c) => c.type === 'image').flatMap((c) => contentPart(c) ?? []);
  // Chat has no error flag on a tool result; the model still has to learn the call failed.
  const content = b.is_error === true ? `Error: ${text}` : text;
  return { message: { role: 'tool', tool_call_id: restoreCallId(b.tool_use_id ?? '').id, content }, images };
}

/** text → text part; image (base64 or url) → image_url part; a PDF → a file part; plain-text documents → text. */
function contentPart(b: AnthropicBlockParam): ContentPart | undefined {
  if (b.type === 'text') return { type: 'text', text: b.text ?? '' };
  const src = b.source;
  if (!src) return undefined;
  if (b.type === 'image') {
    if (src.type === 'base64') return { type: 'image_url', image_url: { url: `data:${src.media_type};base64,${src.data}` } };
    if (src.type === 'url' && typeof src.url === 'string') return { type: 'image_url', image_url: { url: src.url } };
    return undefined;
  }
  if (b.type === 'document') {
    if (src.type === 'text' && typeof src.data === 'string') return { type: 'text', text: src.data };
    // https://platform.openai.com/docs/guides/pdf-files : chat takes a PDF as a file part with a data URL.
    if (src.type === 'base64') {
      const file = { file_data: `data:${src.media_type};base64,${src.data}`, filename: b.title ?? 'document.pdf' };
      return { type: 'file', file } as ContentPart;
    }
  }
  return undefined;
}

/** Client tools only: server tools (web search, code execution) run at Anthropic and have no chat equivalent. */
function translateTool(t: AnthropicTool): ChatTool[] {
  if (!t.input_schema) return [];
  const fn: ChatTool['function'] = { name: t.name, parameters: t.input_schema };
  if (t.description !== undefined) fn.description = t.description;
  return [{ type: 'function', function: fn }];
}

function translateToolChoice(c: AnthropicToolChoice): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.type === 'auto') out.tool_choice = 'auto';
  else if (c.type === 'any') out.tool_choice = 'required';
  else if (c.type === 'none') out.tool_choice = 'none';
  else if (c.type === 'tool' && c.name) out.tool_choice = { type: 'function', function: { name: c.name } };
  if (c.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  return out;
}

/**
 * Thinking asked for → the chat `reasoning_effort` hint: an explicit `output_config.effort`, else the
 * thinking budget in three bands (under 4k tokens low, under 16k medium, more high).
 */
function reasoningEffort(req: AnthropicRequest): string | undefined {
  const effort = req.output_config?.effort;
  if (typeof effort === 'string') return effort === 'low' || effort === 'medium' ? effort : 'high';
  if (req.thinking?.type !== 'enabled') return undefined;
  const budget = req.thinking.budget_tokens ?? 0;
  return budget < 4096 ? 'low' : budget < 16384 ? 'medium' : 'high';
}
