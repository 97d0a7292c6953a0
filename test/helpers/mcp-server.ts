/**
 * Real MCP servers for tests, built with @modelcontextprotocol/sdk: Streamable HTTP inside Bun.serve on
 * port 0 (stoppable and restartable on the same port), and one legacy SSE server on node:http.
 * Tools: echo, add, fail, hang (until cancelled) and rendezvous (answers "together" only when a second
 * call arrives while it waits, so a test can tell concurrent calls from sequential ones).
 */
import { createServer, type Server as NodeServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Server } from 'bun';
import { z } from 'zod';

/** One tool call as the server saw it. */
export interface ToolCallRecord {
  tool: string;
  args: unknown;
}

type Text = { content: { type: 'text'; text: string }[]; isError?: boolean };
const text = (t: string, isError = false): Text => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError } : {}) });

/** Shared by every session of one test server: what was called, and the rendezvous waiters. */
class ToolState {
  readonly calls: ToolCallRecord[] = [];
  readonly extraTools: string[] = [];
  private waiting: (() => void)[] = [];

  rendezvous(): Promise<Text> {
    const peer = this.waiting.shift();
    if (peer) {
      peer();
      return Promise.resolve(text('together'));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== release);
        resolve(text('alone'));
      }, 1500);
      const release = () => {
        clearTimeout(timer);
        resolve(text('together'));
      };
      this.waiting.push(release);
    });
  }
}

function registerExtra(server: McpServer, state: ToolState, name: string): void {
  server.registerTool(name, { description: `late tool ${name}`, inputSchema: {} }, async () => {
    state.calls.push({ tool: name, args: {} });
    return text(`${name} ran`);
  });
}

/** A fresh McpServer with the test tools (one per session: an McpServer serves one transport). */
function buildServer(name: string, state: ToolState): McpServer {
  const server = new McpServer({ name, version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  server.registerTool(
    'echo',
    { description: 'Echoes the text back', inputSchema: { text: z.string() } },
    async ({ text: t }) => {
      state.calls.push({ tool: 'echo', args: { text: t } });
      return text(`echo: ${t}`);
    },
  );
  server.registerTool(
    'add',
    { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => {
      state.calls.push({ tool: 'add', args: { a, b } });
      return text(String(a + b));
    },
  );
  server.registerTool('fail', { description: 'Always fails', inputSchema: {} }, async () => {
    state.calls.push({ tool: 'fail', args: {} });
    return text('the tool failed on purpose', true);
  });
  server.registerTool('hang', { description: 'Never answers', inputSchema: {} }, async (_args, extra) => {
    state.calls.push({ tool: 'hang', args: {} });
    await new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve(), { once: true }));
    return text('cancelled');
  });
  server.registerTool('rendezvous', { description: 'Waits for a concurrent peer call', inputSchema: {} }, async () => {
    state.calls.push({ tool: 'rendezvous', args: {} });
    return state.rendezvous();
  });
  for (const extra of state.extraTools) registerExtra(server, state, extra);
  return server;
}

export interface TestMcpServer {
  /** The MCP endpoint, as MCP_SERVERS would list it. */
  url: string;
  calls: ToolCallRecord[];
  /** Stops listening and drops every session (the server "goes down"). */
  stop(): Promise<void>;
  /** Listens again on the same port with no sessions (the server "comes back"). */
  restart(): void;
  /** Adds a tool to every session, which notifies connected clients (tools/list_changed). */
  addTool(name: string): void;
}

/** A Streamable HTTP MCP server on 127.0.0.1, port 0 unless given. */
export function startMcpServer(name = 'test-tools', port = 0): TestMcpServer {
  const state = new ToolState();
  const sessions = new Map<string, { transport: WebStandardStreamableHTTPServerTransport; server: McpServer }>();
  const handle = async (req: Request): Promise<Response> => {
    const id = req.headers.get('mcp-session-id');
    if (id) {
      const session = sessions.get(id);
      return session ? session.transport.handleRequest(req) : Response.json({ error: 'unknown session' }, { status: 404 });
    }
    const server = buildServer(name, state);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (sid) => {
        sessions.set(sid, { transport, server });
      },
    });
    await server.connect(transport);
    return transport.handleRequest(req);
  };
  const listen = (p: number): Server<undefined> =>
    Bun.serve({ port: p, hostname: '127.0.0.1', idleTimeout: 0, fetch: (req) => handle(req) });
  let bun = listen(port);
  const boundPort = bun.port;
  return {
    url: `http://127.0.0.1:${boundPort}/mcp`,
    calls: state.calls,
    async stop() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.server.close().catch(() => undefined)));
      await bun.stop(true);
    },
    restart() {
      bun = listen(boundPort!);
    },
    addTool(tool) {
      state.extraTools.push(tool);
      for (const s of sessions.values()) registerExtra(s.server, state, tool);
    },
  };
}

export interface TestSseServer {
  /** The SSE endpoint (GET opens the stream; POSTs go to /messages). */
  url: string;
  calls: ToolCallRecord[];
  stop(): Promise<void>;
}

/** A legacy HTTP+SSE MCP server (what the gateway falls back to when Streamable HTTP is refused). */
export async function startSseMcpServer(name = 'legacy-tools'): Promise<TestSseServer> {
  const state = new ToolState();
  const transports = new Map<string, SSEServerTransport>();
  const http: NodeServer = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      transports.set(transport.sessionId, transport);
      res.on('close', () => transports.delete(transport.sessionId));
      await buildServer(name, state).connect(transport);
      return;
    }
    const transport = transports.get(url.searchParams.get('sessionId') ?? '');
    if (req.method === 'POST' && url.pathname === '/messages' && transport) {
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(405, { 'content-type': 'application/json' }).end('{"error":"method not allowed"}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    calls: state.calls,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of transports.values()) void t.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
