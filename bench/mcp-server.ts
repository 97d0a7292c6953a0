/**
 * A small MCP server for the benchmark's `features` target: Streamable HTTP (@modelcontextprotocol/sdk)
 * inside Bun.serve, with three cheap tools. The mock upstream never asks for a tool call, so under load
 * the gateway only lists these tools into each chat; this server is touched at connect and by polling.
 *   bun run bench/mcp-server.ts [--port=0]
 * Prints one JSON line `{"port": N, "url": URL}` once it listens.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

/** One McpServer per session: an McpServer serves exactly one transport. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench-tools', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes the text back', inputSchema: { text: z.string() } }, async ({ text: t }) => text(t));
  server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => text(String(a + b)));
  server.registerTool('time', { description: 'The current time (ISO 8601, UTC)', inputSchema: {} }, async () => text(new Date().toISOString()));
  return server;
}

const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

async function handle(req: Request): Promise<Response> {
  if (new URL(req.url).pathname !== '/mcp') return Response.json({ error: 'not found' }, { status: 404 });
  const id = req.headers.get('mcp-session-id');
  if (id) {
    const transport = sessions.get(id);
    return transport ? transport.handleRequest(req) : Response.json({ error: 'unknown session' }, { status: 404 });
  }
  // No session id: an initialize request opens a new session (each features-target start makes one).
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
    onsessioninitialized: (sid) => {
      sessions.set(sid, transport);
    },
    onsessionclosed: (sid) => {
      sessions.delete(sid);
    },
  });
  await buildServer().connect(transport);
  return transport.handleRequest(req);
}

const arg = process.argv.find((a) => a.startsWith('--port='))?.slice('--port='.length);
// idleTimeout 0: the gateway may hold a standalone SSE stream open for server notifications.
const server = Bun.serve({ hostname: '127.0.0.1', port: Number(arg ?? '0'), idleTimeout: 0, fetch: handle });
process.stdout.write(`${JSON.stringify({ port: server.port, url: `http://127.0.0.1:${server.port}/mcp` })}\n`);
const stop = () => {
  void server.stop(true);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
