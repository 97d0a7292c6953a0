/** One request's MCP tools: the names the model sees (`mcp_<tool>`), mapped back to server and tool. */
import type { ChatTool } from '../schemas.ts';

/** A tool as a connected MCP server lists it. */
export interface McpTool {
  /** The server's URL as given in MCP_SERVERS (trimmed). */
  server: string;
  /** The name the server reported at initialize, when it did. */
  serverName?: string;
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** OpenAI function names allow letters, digits, `_` and `-`, at most 64 characters. */
const MAX_NAME = 64;

function exposedName(tool: string, taken: ReadonlySet<string>): string {
  const base = `mcp_${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, MAX_NAME);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const candidate = base.slice(0, MAX_NAME - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Never changed once built: chats offered the same tools share one (src/mcp/offer.ts). */
export class ToolSet {
  private readonly byName = new Map<string, McpTool>();

  /** `taken` holds the client's own tool names: they are kept, and MCP names avoid them. */
  constructor(tools: readonly McpTool[], taken: ReadonlySet<string>) {
    const used = new Set(taken);
    for (const tool of tools) {
      const name = exposedName(tool.name, used);
      used.add(name);
      this.byName.set(name, tool);
    }
  }

  get size(): number {
    return this.byName.size;
  }

  /** The MCP tool behind an exposed name; undefined for the client's own tools. */
  get(name: string): McpTool | undefined {
    return this.byName.get(name);
  }

  /** The tools as the model is offered them. */
  chatTools(): ChatTool[] {
    return [...this.byName].map(([name, tool]) => ({
      type: 'function',
      function: { name, description: tool.description ?? '', parameters: tool.inputSchema },
    }));
  }
}
