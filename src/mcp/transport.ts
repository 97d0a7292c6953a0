/** Opens an MCP client session: Streamable HTTP first, the older HTTP+SSE transport when that is refused. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../cli.ts';

/** The connection settings of MCP_* that apply to one session. */
export interface SessionTimeouts {
  /** Bound on the wait for each HTTP response's headers. */
  headerTimeoutMs: number;
  /** Bound on initialize (and every other MCP request unless it says otherwise). */
  requestTimeoutMs: number;
}

export type TransportKind = 'streamable-http' | 'sse';

/** A connected session and how it got there. */
export interface OpenSession {
  client: Client;
  transport: TransportKind;
}

/**
 * A fetch that gives up when the response headers are late. Only the headers are bounded: a session's
 * event stream is meant to stay open, and each MCP request has its own timeout.
 */
export function headerBoundFetch(timeoutMs: number): FetchLike {
  return async (url, init) => {
    if (timeoutMs <= 0) return fetch(url, init);
    const controller = new AbortController();
    // AbortSignal.any holds the session-wide signal only weakly: no listener piles up per request.
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    const timer = setTimeout(() => controller.abort(new Error(`no response within ${timeoutMs}ms`)), timeoutMs);
    try {
      return await fetch(url, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

function newClient(onToolsChanged: (tools: Tool[]) => void): Client {
  return new Client(
    { name: 'inference-gateway', version: VERSION },
    {
      listChanged: {
        tools: {
          debounceMs: 50,
          onChanged: (error, tools) => {
            if (!error && tools) onToolsChanged(tools);
          },
        },
      },
    },
  );
}

/** Connects to `url`, trying Streamable HTTP and then SSE; throws the Streamable HTTP error when both fail. */
export async function openSession(url: string, t: SessionTimeouts, onToolsChanged: (tools: Tool[]) => void): Promise<OpenSession> {
  const fetch = headerBoundFetch(t.headerTimeoutMs);
  const target = new URL(url);
  const streamable = newClient(onToolsChanged);
  try {
    await streamable.connect(new StreamableHTTPClientTransport(target, { fetch }), { timeout: t.requestTimeoutMs });
    return { client: streamable, transport: 'streamable-http' };
  } catch (firstError) {
    await streamable.close().catch(() => undefined);
    const legacy = newClient(onToolsChanged);
    try {
      await legacy.connect(new SSEClientTransport(target, { fetch }), { timeout: t.requestTimeoutMs });
      return { client: legacy, transport: 'sse' };
    } catch {
      await legacy.close().catch(() => undefined);
      throw firstError;
    }
  }
}
