/**
 * Which MCP tools a chat is offered: the operator's MCP_INCLUDE_TOOLS / MCP_EXCLUDE_TOOLS first, then
 * the request's own choice (`X-MCP-Tools`, `X-MCP-Servers`), since every offered tool costs tokens.
 */
import type { McpTool } from './tool-set.ts';

/** Names or globs (`read_*`) of tools a request asks for. */
export const TOOLS_HEADER = 'x-mcp-tools';
/** Server URLs (as in MCP_SERVERS) or server names a request asks for. */
export const SERVERS_HEADER = 'x-mcp-servers';

/** The operator's lists; an empty include list means every tool. */
export interface OperatorLists {
  include: readonly string[];
  exclude: readonly string[];
}

function globRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** True when any pattern matches the tool's own name or its `mcp_` name. */
function matchesAny(patterns: readonly RegExp[], tool: McpTool): boolean {
  return patterns.some((p) => p.test(tool.name) || p.test(`mcp_${tool.name}`));
}

function headerList(headers: Headers, name: string): string[] | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Filters tools by the operator's lists (used for the listing and for every chat). */
export class ToolFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(lists: OperatorLists) {
    this.include = lists.include.map(globRegex);
    this.exclude = lists.exclude.map(globRegex);
  }

  /** The tools the operator allows. */
  allowed(tools: readonly McpTool[]): McpTool[] {
    return tools.filter((t) => (this.include.length === 0 || matchesAny(this.include, t)) && !matchesAny(this.exclude, t));
  }

  /**
   * Narrows allowed tools by the request's headers (`X-MCP-Tools: none`, or empty, offers none); the same
   * array when the request asks nothing.
   */
  narrow(allowed: McpTool[], headers: Headers): McpTool[] {
    let out = allowed;
    const wanted = headerList(headers, TOOLS_HEADER);
    if (wanted !== undefined) {
      const patterns = wanted.filter((w) => w.toLowerCase() !== 'none').map(globRegex);
      out = out.filter((t) => matchesAny(patterns, t));
    }
    const servers = headerList(headers, SERVERS_HEADER);
    if (servers !== undefined) {
      const names = new Set(servers.map((s) => trimSlash(s).toLowerCase()));
      out = out.filter((t) => names.has(trimSlash(t.server).toLowerCase()) || (t.serverName !== undefined && names.has(t.serverName.toLowerCase())));
    }
    return out;
  }
}
