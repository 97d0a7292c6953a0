/**
 * The OpenAI Responses API shapes the gateway reads and writes
 * (https://platform.openai.com/docs/api-reference/responses). Only what the translation uses is typed.
 */

/** A content part of an input or output message. */
export interface ResponsesPart {
  type: string;
  text?: string;
  refusal?: string;
  image_url?: string | null;
  file_id?: string | null;
  file_data?: string;
  filename?: string;
  detail?: string;
  [key: string]: unknown;
}

/** One item of `input`: a message, a function call and its output, or an item the gateway does not translate. */
export interface ResponsesInputItem {
  type?: string;
  role?: 'user' | 'assistant' | 'system' | 'developer';
  content?: string | ResponsesPart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string | ResponsesPart[];
  id?: string;
  [key: string]: unknown;
}

/** A function tool in the flat Responses shape. */
export interface ResponsesTool {
  type: string;
  name?: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  [key: string]: unknown;
}

/** `text.format`. */
export interface ResponsesTextFormat {
  type: 'text' | 'json_object' | 'json_schema' | string;
  name?: string;
  schema?: Record<string, unknown>;
  strict?: boolean | null;
  description?: string;
}

/** The body of `POST /v1/responses`. */
export interface ResponsesRequest {
  model: string;
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: string | { type: string; name?: string; mode?: string; [key: string]: unknown };
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  text?: { format?: ResponsesTextFormat; [key: string]: unknown } | null;
  previous_response_id?: string | null;
  store?: boolean | null;
  stream?: boolean | null;
  metadata?: Record<string, string> | null;
  user?: string;
  [key: string]: unknown;
}

/** An `output_text` part. */
export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
}

/** The output items the gateway produces. */
export type ResponsesOutputItem =
  | { type: 'message'; id: string; status: string; role: 'assistant'; content: OutputText[] }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: string }
  | { type: 'reasoning'; id: string; summary: unknown[]; content: { type: 'reasoning_text'; text: string }[]; status?: string };

/** Token counts in Responses terms. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The Response object. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: Record<string, unknown>;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: 'disabled';
  usage: ResponsesUsage | null;
  metadata: Record<string, string>;
}
