import { afterAll, describe, expect, test } from 'bun:test';
import { listeningGateway } from '../helpers/gateway.ts';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { listTools, mcpGateway, waitForTools } from './harness.ts';

const SPEC_403 = '{"error":"MCP tools endpoint is not exposed. Set EXPOSE_MCP=true to enable."}';
const server = startMcpServer('listing-tools');
const stops: (() => Promise<void>)[] = [server.stop];
afterAll(() => Promise.all(stops.map((s) => s())));

describe('GET /v1/mcp/tools', () => {
  test('answers 403 with the spec text, byte for byte, when MCP is on but not exposed', async () => {
    const gw = mcpGateway(undefined, [server.url], { MCP_EXPOSE: 'false' });
    stops.push(gw.stop);
    const res = await fetch(`${gw.url}/v1/mcp/tools`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.text()).toBe(SPEC_403);
  });

  test('answers the same 403 when MCP is off, even with MCP_EXPOSE=true', async () => {
    const gw = listeningGateway({ MCP_EXPOSE: 'true' });
    stops.push(gw.stop);
    const res = await fetch(`${gw.url}/v1/mcp/tools`);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe(SPEC_403);
  });

  test('lists each tool under its own name, with the server URL as given (trimmed) and its input schema', async () => {
    const gw = mcpGateway(undefined, [`  ${server.url}  `]);
    stops.push(gw.stop);
    await waitForTools(gw, (names) => names.length > 0);
    const listing = await listTools(gw);
    expect(listing.object).toBe('list');
    expect(listing.data.map((t) => t.name)).toEqual(['echo', 'add', 'fail', 'hang', 'rendezvous']);
    const add = listing.data.find((t) => t.name === 'add');
    expect(add).toEqual({
      name: 'add',
      description: 'Adds two numbers',
      server: server.url,
      input_schema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      },
    });
  });

  test('is an empty list (not an error) while no server is connected, and the gateway still starts', async () => {
    const gw = mcpGateway(undefined, ['http://127.0.0.1:9/mcp']);
    stops.push(gw.stop);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const res = await fetch(`${gw.url}/v1/mcp/tools`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'list', data: [] });
  });

  test('honours the operator include and exclude lists (globs, with or without the mcp_ prefix)', async () => {
    const gw = mcpGateway(undefined, [server.url], { MCP_INCLUDE_TOOLS: 'e*,mcp_add,fail', MCP_EXCLUDE_TOOLS: 'fail' });
    stops.push(gw.stop);
    expect(await waitForTools(gw, (names) => names.length > 0)).toEqual(['echo', 'add']);
  });
});
