/** Every configured MCP server: connected in the background, so the gateway starts even when all are down. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config.ts';
import type { Logger } from '../telemetry/log.ts';
import { ServerConnection, ServerDownError } from './connection.ts';
import type { McpTool } from './tool-set.ts';

/** The connection manager the agent loop and `/v1/mcp/tools` read from. */
export class McpServers {
  private readonly connections: ServerConnection[];

  constructor(cfg: Config['mcp'], logger: Logger) {
    // MCP_SERVERS entries arrive trimmed and non-empty; the same URL twice is one server.
    const urls = [...new Set(cfg.servers)];
    this.connections = urls.map((url) => new ServerConnection(url, cfg, logger));
  }

  /** Starts connecting to every server; returns at once. */
  start(): this {
    for (const c of this.connections) c.start();
    return this;
  }

  private lists: (readonly McpTool[])[] = [];
  private snapshot: readonly McpTool[] = [];

  /**
   * A snapshot of the tools of the servers connected right now, in MCP_SERVERS order. The same array
   * until a server's list changes (each connection's list is a new array on every change), so what is
   * derived from it can be kept per snapshot instead of rebuilt per chat.
   */
  tools(): readonly McpTool[] {
    const unchanged = this.lists.length === this.connections.length && this.connections.every((c, i) => c.tools === this.lists[i]);
    if (!unchanged) {
      this.lists = this.connections.map((c) => c.tools);
      this.snapshot = this.lists.flat();
    }
    return this.snapshot;
  }

  /** Calls `tool` on `server`; throws ServerDownError when that server is not connected. */
  callTool(server: string, tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const connection = this.connections.find((c) => c.url === server);
    if (!connection) return Promise.reject(new ServerDownError(`unknown MCP server ${server}`));
    return connection.callTool(tool, args, signal);
  }

  /** Closes every session and stops every timer. */
  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }
}
