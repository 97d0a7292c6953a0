/**
 * The chat runner of the MCP plugin: offers the chat the MCP tools it may use (next to the client's own
 * tools) and runs the agent loop. A chat with no MCP tools to offer takes the plain relay path.
 */
import { clientOf } from '../chat/handle.ts';
import type { ChatRunner } from '../routes/chat.ts';
import { runJsonLoop } from './agent-json.ts';
import type { AgentRun } from './agent-round.ts';
import { runStreamLoop } from './agent-stream.ts';
import type { ToolFilter } from './selection.ts';
import type { McpServers } from './servers.ts';
import type { ToolCallHook } from './tool-call.ts';
import { Offers } from './offer.ts';

export interface AgentOptions {
  servers: McpServers;
  filter: ToolFilter;
  /** Most model calls per chat (MCP_MAX_ITERATIONS). */
  maxIterations: number;
  /** Told about every tool call, besides the gateway's own metrics. */
  onToolCall?: ToolCallHook;
  /** MCP_HIDE_TOOL_CALLS: streamed chats hold the gateway's tool calls back unless a request says otherwise. */
  hideToolCalls: boolean;
  /** Serves a chat with no MCP tools to offer (one exchange, or routing). */
  plain: ChatRunner;
}

/** A request's own choice (`X-MCP-Tool-Calls: hide` or `show`) wins over MCP_HIDE_TOOL_CALLS. */
export const TOOL_CALLS_HEADER = 'x-mcp-tool-calls';

function hidesToolCalls(headers: Headers, byDefault: boolean): boolean {
  const asked = headers.get(TOOL_CALLS_HEADER)?.trim().toLowerCase();
  if (asked === 'hide') return true;
  if (asked === 'show') return false;
  return byDefault;
}

/** The ChatRunner that runs MCP tools inside chats. */
export function mcpChatRunner(opts: AgentOptions): ChatRunner {
  const offers = new Offers(opts.servers, opts.filter);
  return async (ctx, chat, request) => {
    const client = clientOf(ctx, request);
    // Per request from the current snapshot: servers that came up since the last chat are offered, ones that went away are not.
    const offer = offers.forChat(chat.body.tools, request.headers);
    if (!offer) return opts.plain(ctx, chat, request);
    const stream = chat.body.stream === true;
    // A stream ends its loop when the client cancels the body, which the request's own signal may not see.
    const controller = stream ? new AbortController() : undefined;
    const abort = () => controller?.abort();
    if (controller) {
      if (request.signal.aborted) abort();
      else request.signal.addEventListener('abort', abort, { once: true });
    }
    const signal = controller?.signal ?? request.signal;
    client.signal = signal;
    const run: AgentRun = {
      ctx,
      provider: chat.provider,
      // Messages grow each round: the client's array is not touched.
      body: { ...chat.body, messages: [...chat.body.messages] },
      offer,
      scope: {
        servers: opts.servers,
        tools: offer.tools,
        signal,
        onToolCall: (server, tool, outcome, ms) => {
          ctx.telemetry.toolCall(server, tool, outcome, ms);
          opts.onToolCall?.(server, tool, outcome, ms);
          ctx.logger.debug('mcp tool call', { tool, outcome, ms: Math.round(ms) });
        },
      },
      maxIterations: opts.maxIterations,
      signal,
      client,
      hideToolCalls: hidesToolCalls(request.headers, opts.hideToolCalls),
    };
    return stream ? runStreamLoop(run, abort) : runJsonLoop(run);
  };
}
