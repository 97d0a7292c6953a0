import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { chat, mcpGateway, scriptedProvider, toolResults, waitForTools } from './harness.ts';

const server = startMcpServer('slow-tools');
// The tool hangs until MCP_REQUEST_TIMEOUT (1.5 s), three times the keep-alive interval (write timeout / 2).
const provider = scriptedProvider((c) =>
  toolResults(c).length === 0 ? { calls: [{ name: 'mcp_hang', args: {} }] } : { content: `after: ${toolResults(c)[0]!.content}` },
);
const gw = mcpGateway(provider, [server.url], { SERVER_WRITE_TIMEOUT: '1s', MCP_REQUEST_TIMEOUT: '1500ms' });
beforeAll(() => waitForTools(gw, (names) => names.includes('hang')));
afterAll(() => Promise.all([gw.stop(), provider.stop(), server.stop()]));

test('while tools run between rounds, the stream sends keep-alive comments, then carries on to one [DONE]', async () => {
  const res = await chat(gw, { model: 'openai/slow', stream: true });
  const text = await res.text();
  const comments = text.split('\n').filter((l) => l === ': keep-alive');
  expect(comments.length).toBeGreaterThanOrEqual(2);
  expect(text).toContain('after: Error');
  expect(text.trimEnd()).toEndWith('data: [DONE]');
  expect(text.match(/data: \[DONE\]/g)).toHaveLength(1);
});
