/**
 * The MCP tools a chat is offered, and their JSON. Most chats send neither their own tools nor the
 * X-MCP-* headers: for them the offer is the same until a server's tool list changes, so it is built
 * once per snapshot (per chat it cost ~10 µs: filters, names, schema objects).
 */
import type { ChatTool } from '../schemas.ts';
import type { ToolFilter } from './selection.ts';
import type { McpServers } from './servers.ts';
import { ToolSet, type McpTool } from './tool-set.ts';

/** What one chat is offered. Shared between chats, so never changed after it is built. */
export interface Offer {
  tools: ToolSet;
  chatTools: readonly ChatTool[];
}

function offerOf(tools: readonly McpTool[], taken: ReadonlySet<string>): Offer {
  const set = new ToolSet(tools, taken);
  return { tools: set, chatTools: set.chatTools() };
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Builds offers, keeping the common one per tool snapshot. */
export class Offers {
  private snapshot: readonly McpTool[] | undefined;
  private allowed: McpTool[] = [];
  private common: Offer | undefined;

  constructor(
    private readonly servers: McpServers,
    private readonly filter: ToolFilter,
  ) {}

  /** The offer for a chat with these client tools and headers; undefined when there is nothing to offer. */
  forChat(clientTools: readonly ChatTool[] | undefined, headers: Headers): Offer | undefined {
    const snapshot = this.servers.tools();
    if (snapshot !== this.snapshot) {
      this.snapshot = snapshot;
      this.allowed = this.filter.allowed(snapshot);
      this.common = undefined;
    }
    const narrowed = this.filter.narrow(this.allowed, headers);
    if (narrowed.length === 0) return undefined;
    if (narrowed === this.allowed && clientTools === undefined) return (this.common ??= offerOf(narrowed, NO_NAMES));
    return offerOf(narrowed, new Set((clientTools ?? []).map((t) => t.function.name)));
  }
}
