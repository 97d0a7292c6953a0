/** GET /v1/mcp/tools: always routed; 403 with the spec's text unless MCP is on and exposed. */
import { Elysia } from 'elysia';
import { errorResponse, MESSAGES } from '../errors.ts';
import type { ListToolsResponse } from '../mcp/feature.ts';

/** Lists tools; `listTools` is undefined when MCP is off or not exposed. */
export function mcpToolsRoutes(listTools?: () => ListToolsResponse) {
  return new Elysia({ name: 'mcp-tools' }).get('/v1/mcp/tools', () =>
    listTools ? Response.json(listTools()) : errorResponse(403, MESSAGES.mcpNotExposed),
  );
}
