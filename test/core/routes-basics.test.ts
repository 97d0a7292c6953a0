import { describe, expect, test } from 'bun:test';
import { testGateway } from '../helpers/gateway.ts';

describe('health, unknown routes, MCP endpoint, docs', () => {
  const gw = testGateway();

  test('GET /health answers 200 {"message":"OK"}', async () => {
    const res = await gw.req('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'OK' });
  });

  test('unknown routes are 404 in the spec error shape', async () => {
    for (const path of ['/nope', '/v1/chat', '/v2/models']) {
      const res = await gw.req(path);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Requested route is not found' });
    }
  });

  test('GET /v1/mcp/tools is 403 with the spec text, byte for byte, when MCP is not exposed', async () => {
    const res = await gw.req('/v1/mcp/tools');
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('{"error":"MCP tools endpoint is not exposed. Set EXPOSE_MCP=true to enable."}');
  });

  test('/swagger serves the UI and /swagger/json the spec itself', async () => {
    expect((await gw.req('/swagger')).status).toBe(200);
    const doc = (await (await gw.req('/swagger/json')).json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe('Inference Gateway API');
    expect(Object.keys(doc.paths)).toContain('/chat/completions');
  });
});
