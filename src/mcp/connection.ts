/**
 * One MCP server's life: connect with retries (backoff from MCP_INITIAL_BACKOFF, doubling, capped at
 * MCP_RETRY_INTERVAL), keep its tool list fresh (list-changed notifications and polling), notice when it
 * drops, and reconnect every MCP_RECONNECT_INTERVAL. While it is not connected it offers no tools.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config.ts';
import type { Logger } from '../telemetry/log.ts';
import type { McpTool } from './tool-set.ts';
import { openSession, type TransportKind } from './transport.ts';

export type ConnectionState = 'connecting' | 'connected' | 'down' | 'closed';

/** Thrown for a call to a server that is not connected. */
export class ServerDownError extends Error {
  override readonly name = 'ServerDownError';
}

/** A server URL without credentials or query, fit for logs. */
export function serverLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'invalid-url';
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ServerConnection {
  state: ConnectionState = 'connecting';
  private session?: { client: Client; transport: TransportKind };
  private toolList: readonly McpTool[] = [];
  private serverName?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private wake?: () => void;
  private readonly label: string;
  private closed = false;
  /** Set once "down" was logged at warn level, so a long outage does not warn on every attempt. */
  private reportedDown = false;

  constructor(
    readonly url: string,
    private readonly cfg: Config['mcp'],
    private readonly logger: Logger,
  ) {
    this.label = serverLabel(url);
  }

  /** The tools on offer: none unless connected. A new array on every change, never mutated. */
  get tools(): readonly McpTool[] {
    return this.state === 'connected' ? this.toolList : [];
  }

  /** Starts connecting in the background; never throws. */
  start(): void {
    void this.connectLoop();
  }

  /** Calls a tool; MCP errors (timeouts included) pass through, a broken connection also marks it down. */
  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = this.session?.client;
    if (this.state !== 'connected' || !client) throw new ServerDownError(`MCP server ${this.label} is not connected`);
    try {
      return (await client.callTool({ name, arguments: args }, undefined, { timeout: this.cfg.requestTimeoutMs, signal })) as CallToolResult;
    } catch (err) {
      if (!signal.aborted && isConnectionFailure(err)) this.drop(client, err);
      throw err;
    }
  }

  /** Stops every timer and closes the session. */
  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
    clearTimeout(this.timer);
    this.wake?.();
    const session = this.session;
    this.session = undefined;
    await session?.client.close().catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    let failures = 0;
    let backoff = this.cfg.initialBackoffMs;
    while (!this.closed) {
      this.state = 'connecting';
      try {
        await this.connectOnce();
        return;
      } catch (err) {
        if (this.closed) return;
        failures++;
        this.state = 'down';
        this.logger[this.reportedDown ? 'debug' : 'warn']('mcp server unreachable', { server: this.label, attempt: failures, error: describe(err) });
        this.reportedDown = true;
      }
      if (failures > this.cfg.maxRetries) {
        if (!this.cfg.enableReconnect) {
          this.logger.error('mcp server given up', { server: this.label, attempts: failures });
          return;
        }
        failures = 0;
        backoff = this.cfg.initialBackoffMs;
        await this.sleep(this.cfg.reconnectIntervalMs);
        continue;
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, Math.max(this.cfg.retryIntervalMs, this.cfg.initialBackoffMs));
    }
  }

  private async connectOnce(): Promise<void> {
    const timeouts = {
      // Connect (dial + TLS handshake) and then the server's headers, never more than the whole client timeout.
      headerTimeoutMs: Math.min(
        this.cfg.clientTimeoutMs,
        this.cfg.dialTimeoutMs + this.cfg.tlsHandshakeTimeoutMs + this.cfg.responseHeaderTimeoutMs,
      ),
      requestTimeoutMs: this.cfg.requestTimeoutMs,
    };
    let client: Client | undefined;
    const session = await openSession(this.url, timeouts, (tools) => {
      if (client && this.session?.client === client) this.setTools(tools, 'notification');
    });
    client = session.client;
    try {
      const { tools } = await client.listTools(undefined, { timeout: this.cfg.requestTimeoutMs });
      if (this.closed) throw new Error('closed');
      this.serverName = client.getServerVersion()?.name;
      this.session = session;
      this.toolList = this.convert(tools);
      this.state = 'connected';
      this.reportedDown = false;
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    this.logger.info('mcp server connected', { server: this.label, transport: session.transport, tools: this.toolList.length });
    if (this.cfg.pollingEnable) this.schedulePoll(client);
  }

  private schedulePoll(client: Client): void {
    this.timer = setTimeout(() => void this.poll(client), this.cfg.pollingIntervalMs);
  }

  /** The health check: a tools/list within MCP_POLLING_TIMEOUT, which also catches unannounced changes. */
  private async poll(client: Client): Promise<void> {
    if (this.session?.client !== client) return;
    try {
      const { tools } = await client.listTools(undefined, { timeout: this.cfg.pollingTimeoutMs });
      if (this.session?.client !== client) return;
      if (!this.cfg.disableHealthcheckLogs) this.logger.debug('mcp health check ok', { server: this.label, tools: tools.length });
      this.setTools(tools, 'polling');
      this.schedulePoll(client);
    } catch (err) {
      this.drop(client, err);
    }
  }

  private setTools(tools: Tool[], source: string): void {
    const next = this.convert(tools);
    const names = (list: readonly McpTool[]) => list.map((t) => t.name).join(',');
    if (names(next) !== names(this.toolList)) this.logger.info('mcp tools changed', { server: this.label, source, tools: next.length });
    this.toolList = next;
  }

  private convert(tools: Tool[]): McpTool[] {
    return tools.map((t) => ({
      server: this.url,
      serverName: this.serverName,
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema as Record<string, unknown>,
    }));
  }

  /** The session broke: its tools vanish at once, and reconnecting starts when allowed. */
  private drop(client: Client, err: unknown): void {
    if (this.session?.client !== client || this.closed) return;
    this.session = undefined;
    this.state = 'down';
    clearTimeout(this.timer);
    void client.close().catch(() => undefined);
    this.logger.warn('mcp server lost', { server: this.label, error: describe(err) });
    this.reportedDown = true;
    if (this.cfg.enableReconnect) void this.connectLoop();
  }

  /** Waits, but wakes at once when the connection is closed. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}

/** True for failures of the connection itself (refused, reset, lost session), not answers from the server. */
function isConnectionFailure(err: unknown): boolean {
  // A timeout or an error answer leaves the session usable; anything else means the link is gone.
  return !(err instanceof McpError) || err.code === ErrorCode.ConnectionClosed;
}
