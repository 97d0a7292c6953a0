/**
 * The chat runner of the MCP plugin: offers the chat the MCP tools it may use (next to the client's own
 * tools) and runs the agent loop. A chat with no MCP tools to offer takes the plain relay path.
 */
import { forwardChat } from '../chat/forward.ts';
import type { ChatTool } from '../schemas.ts';
import type { ChatRunner } from '../routes/chat.ts';
import { runJsonLoop } from './agent-json.ts';
import type { AgentRun } from './agent-round.ts';
import { runStreamLoop } from './agent-stream.ts';
import type { ToolFilter } from './selection.ts';
import type { McpServers } from './servers.ts';
import type { ToolCallHook } from './tool-call.ts';
import { ToolSet } from './tool-set.ts';

export interface AgentOptions {
  servers: McpServers;
  filter: ToolFilter;
  /** Most model calls per chat (MCP_MAX_ITERATIONS). */
  maxIterations: number;
  /** Told about every tool call, besides the gateway's own metrics. */
  onToolCall?: ToolCallHook;
}

function clientToolNames(tools: ChatTool[] | undefined): Set<string> {
  return new Set((tools ?? []).map((t) => t.function.name));
}

/** The ChatRunner that runs MCP tools inside chats. */
export function mcpChatRunner(opts: AgentOptions): ChatRunner {
  return async (ctx, chat, request) => {
    const rec = ctx.telemetry.records.get(request);
    // A snapshot per request: servers that came up since the last chat are offered, ones that went away are not.
    const offered = opts.filter.forRequest(opts.servers.tools(), request.headers);
    if (offered.length === 0) return forwardChat(ctx, chat.provider, chat.body, request.signal, rec);
    const tools = new ToolSet(offered, clientToolNames(chat.body.tools));
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (request.signal.aborted) abort();
    else request.signal.addEventListener('abort', abort, { once: true });
    const run: AgentRun = {
      ctx,
      provider: chat.provider,
      body: { ...chat.body, messages: [...chat.body.messages], tools: [...(chat.body.tools ?? []), ...tools.chatTools()] },
      scope: {
        servers: opts.servers,
        tools,
        signal: controller.signal,
        onToolCall: (server, tool, outcome, ms) => {
          ctx.telemetry.toolCall(server, tool, outcome, ms);
          opts.onToolCall?.(server, tool, outcome, ms);
          ctx.logger.debug('mcp tool call', { tool, outcome, ms: Math.round(ms) });
        },
      },
      maxIterations: opts.maxIterations,
      signal: controller.signal,
      rec,
    };
    if (rec) Object.assign(rec, { route: '/v1/chat/completions', provider: chat.provider.id, model: chat.body.model, stream: chat.body.stream === true });
    return chat.body.stream === true ? runStreamLoop(run, abort) : runJsonLoop(run);
  };
}
