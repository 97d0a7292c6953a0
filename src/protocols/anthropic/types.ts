/**
 * The Anthropic Messages API shapes the gateway reads and writes, as documented at
 * https://docs.anthropic.com/en/api/messages . Only the fields the translation uses are typed; the rest
 * pass through the index signatures.
 */

/** An image source: inline base64 or a URL. */
export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: string; [key: string]: unknown };

/** A content block of a request message. */
export interface AnthropicBlockParam {
  type: string;
  text?: string;
  source?: AnthropicImageSource & { data?: string; media_type?: string; url?: string };
  /** tool_use */
  id?: string;
  name?: string;
  input?: unknown;
  /** tool_result */
  tool_use_id?: string;
  content?: string | AnthropicBlockParam[];
  is_error?: boolean;
  /** document */
  title?: string;
  /** thinking */
  thinking?: string;
  [key: string]: unknown;
}

/** One message of the conversation. */
export interface AnthropicMessageParam {
  role: 'user' | 'assistant' | 'system';
  content: string | AnthropicBlockParam[];
}

/** A client tool; server tools (web search, bash, ...) have a `type` and no `input_schema`. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  type?: string;
  [key: string]: unknown;
}

/** How the model should pick tools. */
export interface AnthropicToolChoice {
  type: 'auto' | 'any' | 'tool' | 'none';
  name?: string;
  disable_parallel_tool_use?: boolean;
}

/** The body of `POST /v1/messages` (and, without `max_tokens`, of `count_tokens`). */
export interface AnthropicRequest {
  model: string;
  messages: AnthropicMessageParam[];
  max_tokens?: number;
  system?: string | AnthropicBlockParam[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stream?: boolean;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: { type: string; budget_tokens?: number };
  output_config?: { effort?: string | null; [key: string]: unknown };
  metadata?: { user_id?: string | null };
  [key: string]: unknown;
}

/** A content block of an answer. */
export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

/** Why the model stopped. */
export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/** Token counts in Anthropic's terms: `input_tokens` excludes tokens read from the cache. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** The answer of `POST /v1/messages`. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}
