/**
 * The chat runner of the MCP plugin: offers the chat the MCP tools it may use (next to the client's own
 * tools) and runs the agent loop. A chat with no MCP tools to offer takes the plain relay path.
 */
import { forwardChat } from '../chat/forward.ts';
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
}

/** The ChatRunner that runs MCP tools inside chats. */
export function mcpChatRunner(opts: AgentOptions): ChatRunner {
  const offers = new Offers(opts.servers, opts.filter);
  return async (ctx, chat, request) => {
    const rec = ctx.telemetry.records.get(request);
    // Per request from the current snapshot: servers that came up since the last chat are offered, ones that went away are not.
    const offer = offers.forChat(chat.body.tools, request.headers);
    if (!offer) return forwardChat(ctx, chat.provider, chat.body, request, rec);
    const stream = chat.body.stream === true;
    // A stream ends its loop when the client cancels the body, which the request's own signal may not see.
    const controller = stream ? new AbortController() : undefined;
    const abort = () => controller?.abort();
    if (controller) {
      if (request.signal.aborted) abort();
      else request.signal.addEventListener('abort', abort, { once: true });
    }
    const signal = controller?.signal ?? request.signal;
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
      rec,
    };
    if (rec) Object.assign(rec, { route: '/v1/chat/completions', provider: chat.provider.id, model: chat.body.model, stream });
    return stream ? runStreamLoop(run, abort) : runJsonLoop(run);
  };
}
