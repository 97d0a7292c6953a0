/**
 * The chat-completions answer as the protocol translators read it: a JSON completion or one parsed
 * `chat.completion.chunk`. Providers differ in where they put reasoning and usage; this file is where
 * those differences are read, so each translator sees one shape.
 */
import type { ToolCall } from '../schemas.ts';

/** Token counts as OpenAI-compatible providers report them. */
export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** A content part of an answer: Mistral's reasoning models answer with text and thinking parts. */
export interface AnswerPart {
  type: string;
  text?: string;
  thinking?: string | AnswerPart[];
}

/** The assistant message of a non-streamed answer. */
export interface AnswerMessage {
  role?: string;
  content?: string | AnswerPart[] | null;
  /** DeepSeek, Moonshot and vLLM. */
  reasoning_content?: string | null;
  /** Groq, Ollama and OpenRouter. */
  reasoning?: string | null;
  tool_calls?: ToolCall[] | null;
  refusal?: string | null;
}

/** One choice of a completion; `stop_reason` / `matched_stop` name the stop sequence on some servers. */
export interface AnswerChoice {
  index?: number;
  message?: AnswerMessage;
  finish_reason?: string | null;
  stop_reason?: unknown;
  matched_stop?: unknown;
}

/** A non-streamed chat completion. */
export interface ChatCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices?: AnswerChoice[];
  usage?: ChatUsage | null;
}

/** One tool call fragment of a chunk; fragments of one call share its `index`. */
export interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  /** Provider extras on the call (Gemini's thought signature); see call-id.ts. */
  extra_content?: unknown;
}

/** The `delta` of a streamed choice. */
export interface ChunkDelta {
  role?: string;
  content?: string | AnswerPart[] | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: ToolCallDelta[] | null;
}

/** One streamed choice; Moonshot reports usage here instead of on the chunk. */
export interface ChunkChoice {
  index?: number;
  delta?: ChunkDelta;
  finish_reason?: string | null;
  usage?: ChatUsage | null;
  stop_reason?: unknown;
  matched_stop?: unknown;
}

/** One parsed `chat.completion.chunk`. */
export interface ChatChunk {
  id?: string;
  model?: string;
  choices?: ChunkChoice[];
  usage?: ChatUsage | null;
}

/** Text and reasoning of a message or delta, wherever the provider put them. */
export interface SplitContent {
  text: string;
  reasoning: string;
}

/** Reads text and reasoning from `content` (string or parts) and `reasoning_content` / `reasoning`. */
export function splitContent(m: AnswerMessage | ChunkDelta | undefined): SplitContent {
  if (!m) return { text: '', reasoning: '' };
  let text = '';
  let reasoning = typeof m.reasoning_content === 'string' ? m.reasoning_content : typeof m.reasoning === 'string' ? m.reasoning : '';
  if (typeof m.content === 'string') text = m.content;
  else if (Array.isArray(m.content)) {
    for (const part of m.content) {
      if (part.type === 'text' && typeof part.text === 'string') text += part.text;
      // https://docs.mistral.ai/capabilities/reasoning/ : thinking parts hold text parts.
      else if (part.type === 'thinking') reasoning += partsText(part.thinking);
    }
  }
  return { text, reasoning };
}

function partsText(v: string | AnswerPart[] | undefined): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return '';
  return v.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
}

/** The usage of a chunk, on the chunk or (Moonshot) on its first choice. */
export function chunkUsage(chunk: ChatChunk): ChatUsage | undefined {
  return chunk.usage ?? chunk.choices?.[0]?.usage ?? undefined;
}

/** What a stream translator reads from one chunk: its usage, its first choice, and that choice's text and reasoning. */
export interface ChunkReading extends SplitContent {
  usage: ChatUsage | undefined;
  choice: ChunkChoice | undefined;
}

export function readChunk(chunk: ChatChunk): ChunkReading {
  const choice = chunk.choices?.[0];
  return { usage: chunkUsage(chunk), choice, ...splitContent(choice?.delta) };
}

/** The stop sequence that ended an answer, when the provider says or the text still ends with it. */
export function matchedStopSequence(
  choice: { stop_reason?: unknown; matched_stop?: unknown } | undefined,
  text: string,
  stops: readonly string[] | undefined,
): string | null {
  if (!stops || stops.length === 0) return null;
  for (const named of [choice?.stop_reason, choice?.matched_stop]) {
    if (typeof named === 'string' && stops.includes(named)) return named;
  }
  return stops.find((s) => s !== '' && text.endsWith(s)) ?? null;
}

/** A whole completion as one chunk, for a provider that answered a stream request with JSON. */
export function completionAsChunk(c: ChatCompletion): ChatChunk {
  const choice = c.choices?.[0];
  const m = choice?.message ?? {};
  const delta: ChunkDelta = { role: 'assistant', content: m.content ?? null, reasoning_content: m.reasoning_content ?? null, reasoning: m.reasoning ?? null };
  if (m.tool_calls) delta.tool_calls = m.tool_calls.map((t, index) => ({ index, id: t.id, type: 'function', function: t.function, extra_content: t.extra_content }));
  return { id: c.id, model: c.model, choices: [{ index: 0, delta, finish_reason: choice?.finish_reason ?? 'stop', stop_reason: choice?.stop_reason, matched_stop: choice?.matched_stop }], usage: c.usage };
}
