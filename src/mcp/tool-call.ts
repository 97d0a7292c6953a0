/**
 * Runs the model's MCP tool calls: arguments parsed and checked against the tool's input schema, the
 * call bounded by MCP_REQUEST_TIMEOUT, and every failure turned into an `Error: ...` tool message for
 * the model, never into an HTTP failure.
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ChatMessage, ToolCall } from '../schemas.ts';
import type { McpServers } from './servers.ts';
import type { McpTool, ToolSet } from './tool-set.ts';

export type ToolCallOutcome = 'ok' | 'error' | 'timeout';

/** Told about every tool call once it ended (metrics attach here). */
export type ToolCallHook = (server: string, tool: string, outcome: ToolCallOutcome, ms: number) => void;

/** What one request's tool calls need: its own tool set and its own abort signal. */
export interface ToolCallScope {
  servers: McpServers;
  tools: ToolSet;
  signal: AbortSignal;
  onToolCall: ToolCallHook;
}

/** Distinct schemas kept compiled; past this the cache (and Ajv, which holds every schema it compiled) starts afresh. */
const MAX_VALIDATORS = 500;
let ajv = new AjvJsonSchemaValidator();
/**
 * Validators keyed by the schema's text, not its object: every tool-list refresh brings new objects
 * for the same schemas, and compiling each again would grow Ajv's own cache without end.
 */
const validators = new Map<string, JsonSchemaValidator<unknown> | null>();

function validatorFor(tool: McpTool): JsonSchemaValidator<unknown> | null {
  const key = JSON.stringify(tool.inputSchema);
  let v = validators.get(key);
  if (v === undefined) {
    if (validators.size >= MAX_VALIDATORS) {
      validators.clear();
      ajv = new AjvJsonSchemaValidator();
    }
    try {
      v = ajv.getValidator<unknown>(tool.inputSchema as JsonSchemaType);
    } catch {
      v = null; // a schema Ajv cannot compile: the server checks the arguments itself
    }
    validators.set(key, v);
  }
  return v;
}

/** The arguments as an object, or the message that tells the model what was wrong. */
function parseArguments(raw: string, tool: McpTool): Record<string, unknown> | string {
  let args: unknown;
  try {
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (err) {
    return `Error: the arguments are not valid JSON (${err instanceof Error ? err.message : 'parse error'}): ${raw.slice(0, 200)}`;
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return 'Error: the arguments must be a JSON object';
  const check = validatorFor(tool)?.(args);
  if (check && !check.valid) return `Error: invalid arguments for ${tool.name}: ${check.errorMessage}`;
  return args as Record<string, unknown>;
}

/** The tool's result as text for the model; a result flagged as an error reads `Error: ...`. */
function resultText(result: CallToolResult): string {
  const parts = (result.content ?? []).map((p) => (p.type === 'text' ? p.text : JSON.stringify(p)));
  let text = parts.join('\n');
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent);
  return result.isError === true ? `Error: ${text || 'the tool reported a failure'}` : text;
}

function failureText(err: unknown, tool: McpTool, ms: number): { outcome: ToolCallOutcome; text: string } {
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
    return { outcome: 'timeout', text: `Error: tool ${tool.name} timed out after ${Math.round(ms)}ms` };
  }
  return { outcome: 'error', text: `Error: ${err instanceof Error ? err.message : String(err)}` };
}

/** One tool call on its server; always resolves to the tool message for the model. */
export async function runToolCall(scope: ToolCallScope, call: ToolCall): Promise<ChatMessage> {
  const message = (content: string): ChatMessage => ({ role: 'tool', tool_call_id: call.id, content });
  const tool = scope.tools.get(call.function.name);
  if (!tool) return message(`Error: unknown tool ${call.function.name}`);
  const args = parseArguments(call.function.arguments, tool);
  if (typeof args === 'string') {
    scope.onToolCall(tool.server, tool.name, 'error', 0);
    return message(args);
  }
  const started = performance.now();
  try {
    const result = await scope.servers.callTool(tool.server, tool.name, args, scope.signal);
    scope.onToolCall(tool.server, tool.name, result.isError === true ? 'error' : 'ok', performance.now() - started);
    return message(resultText(result));
  } catch (err) {
    const ms = performance.now() - started;
    const { outcome, text } = failureText(err, tool, ms);
    scope.onToolCall(tool.server, tool.name, outcome, ms);
    return message(text);
  }
}

/** All of one turn's calls at once; the messages come back in the order of the calls. */
export function runToolCalls(scope: ToolCallScope, calls: readonly ToolCall[]): Promise<ChatMessage[]> {
  return Promise.all(calls.map((call) => runToolCall(scope, call)));
}
