import { afterAll, beforeAll, expect, test } from 'bun:test';
import { InferenceGatewayClient, MessageRole } from '@inference-gateway/sdk';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { mcpGateway, scriptedProvider, toolResults, waitForTools, type SeenChat, type Turn } from './harness.ts';

// The Go gateway's own TypeScript SDK: its UI shows tool activity through onMCPTool, which fires for a
// streamed tool call (assembled from its deltas, finished by finish_reason "tool_calls") that the client
// did not offer itself.
const server = startMcpServer('sdk-tools');
const provider = scriptedProvider((c: SeenChat): Turn =>
  toolResults(c).length === 0 ? { content: 'Adding. ', calls: [{ name: 'mcp_add', args: { a: 2, b: 3 } }] } : { content: `It is ${toolResults(c)[0]!.content}.` },
);
const gw = mcpGateway(provider, [server.url]);
beforeAll(() => waitForTools(gw, (names) => names.includes('add')));
afterAll(() => Promise.all([gw.stop(), provider.stop(), server.stop()]));

async function streamWithSdk(headers: Record<string, string> = {}) {
  const client = new InferenceGatewayClient({ baseURL: `${gw.url}/v1`, defaultHeaders: headers });
  const mcpTools: { name: string; arguments: string }[] = [];
  let content = '';
  let finished = false;
  await client.streamChatCompletion(
    { model: 'openai/gpt-4o', messages: [{ role: MessageRole.User, content: 'add 2 and 3' }] },
    {
      onContent: (c) => (content += c),
      onMCPTool: (call) => mcpTools.push({ name: call.function.name, arguments: call.function.arguments }),
      onFinish: () => (finished = true),
    },
  );
  return { mcpTools, content, finished };
}

test("the SDK's onMCPTool fires for the MCP tool the gateway ran in a streamed chat, and the answer is whole", async () => {
  const { mcpTools, content, finished } = await streamWithSdk();
  expect(mcpTools).toEqual([{ name: 'mcp_add', arguments: '{"a":2,"b":3}' }]);
  expect(content).toBe('Adding. It is 5.');
  expect(finished).toBe(true);
});

test('with the tool calls hidden (X-MCP-Tool-Calls: hide) the SDK sees only the text', async () => {
  const { mcpTools, content } = await streamWithSdk({ 'x-mcp-tool-calls': 'hide' });
  expect(mcpTools).toEqual([]);
  expect(content).toBe('Adding. It is 5.');
});
