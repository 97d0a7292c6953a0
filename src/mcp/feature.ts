/** MCP as app.ts mounts it when MCP_ENABLE is on: the servers, the chat runner and the tool listing. */
import type { GatewayContext } from '../context.ts';
import type { ChatRunner } from '../routes/chat.ts';
import { mcpChatRunner } from './agent.ts';
import { ToolFilter } from './selection.ts';
import { McpServers } from './servers.ts';
import type { ToolCallHook } from './tool-call.ts';

/** The spec's `MCPTool`. */
export interface ListedTool {
  name: string;
  description: string;
  server: string;
  input_schema: Record<string, unknown>;
}

/** The spec's `ListToolsResponse`. */
export interface ListToolsResponse {
  object: 'list';
  data: ListedTool[];
}

export interface McpFeature {
  servers: McpServers;
  runChat: ChatRunner;
  /** Defined only when MCP_EXPOSE is on; the route answers 403 otherwise. */
  listTools?: () => ListToolsResponse;
  close(): Promise<void>;
}

/** Connects to MCP_SERVERS in the background (never blocking start-up) and builds the MCP parts. */
export function startMcp(ctx: GatewayContext, plain: ChatRunner, onToolCall?: ToolCallHook): McpFeature {
  const cfg = ctx.config.mcp;
  const servers = new McpServers(cfg, ctx.logger).start();
  const filter = new ToolFilter({ include: cfg.includeTools, exclude: cfg.excludeTools });
  const listTools = (): ListToolsResponse => ({
    object: 'list',
    data: filter.allowed(servers.tools()).map((t) => ({
      name: t.name,
      description: t.description ?? '',
      server: t.server,
      input_schema: t.inputSchema,
    })),
  });
  return {
    servers,
    runChat: mcpChatRunner({ servers, filter, maxIterations: cfg.maxIterations, onToolCall, hideToolCalls: cfg.hideToolCalls, plain }),
    listTools: cfg.expose ? listTools : undefined,
    close: () => servers.close(),
  };
}
