import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { chat, mcpGateway, scriptedProvider, seenChats, toolResults, waitForTools, type SeenChat, type Turn } from './harness.ts';

const server = startMcpServer('loop-tools');

/** Each model name scripts one behaviour; the model answers from the conversation it is sent. */
function decide(c: SeenChat): Turn {
  const results = toolResults(c);
  const last = results.at(-1)?.content ?? '';
  switch (c.model) {
    case 'adder':
      return results.length === 0 ? { calls: [{ name: 'mcp_add', args: { a: 2, b: 3 } }] } : { content: `The sum is ${last}` };
    case 'failer':
      return results.length === 0 ? { calls: [{ name: 'mcp_fail', args: {} }] } : { content: `Tool said: ${last}` };
    case 'bad-json':
      return results.length === 0 ? { calls: [{ name: 'mcp_add', args: '{"a": 2,' }] } : { content: last };
    case 'bad-args':
      return results.length === 0 ? { calls: [{ name: 'mcp_add', args: { a: 'two' } }] } : { content: last };
    case 'client-tool':
      return { calls: [{ name: 'get_weather', args: { city: 'Oslo' }, id: 'call_client' }] };
    case 'mixed':
      return { calls: [{ name: 'mcp_echo', args: { text: 'x' } }, { name: 'get_weather', args: { city: 'Rome' }, id: 'call_w' }] };
    case 'pair':
      return results.length === 0
        ? { calls: [{ name: 'mcp_rendezvous', args: {} }, { name: 'mcp_rendezvous', args: {} }] }
        : { content: results.map((r) => r.content).join('+') };
    case 'forever':
      return { content: `round ${results.length + 1}`, calls: [{ name: 'mcp_echo', args: { text: `r${results.length}` } }] };
    default:
      return { content: 'plain answer' };
  }
}

const provider = scriptedProvider(decide);
const gw = mcpGateway(provider, [server.url], { MCP_MAX_ITERATIONS: '3' });
beforeAll(() => waitForTools(gw, (names) => names.includes('echo')));
afterAll(() => Promise.all([gw.stop(), provider.stop(), server.stop()]));

const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

async function run(model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const before = provider.received.length;
  const res = await chat(gw, { model: `openai/${model}`, ...extra }, headers);
  return { res, body: (await res.json()) as Record<string, any>, seen: seenChats(provider).slice(before) };
}

describe('the agent loop, non-streamed', () => {
  test('the provider is offered the MCP tools as mcp_<tool>, next to the client tools', async () => {
    const { body, seen } = await run('plain', { tools: [weatherTool] });
    expect(body.choices[0].message.content).toBe('plain answer');
    const names = seen[0]!.tools!.map((t) => t.function.name);
    expect(names).toEqual(['get_weather', 'mcp_echo', 'mcp_add', 'mcp_fail', 'mcp_hang', 'mcp_rendezvous']);
    const add = seen[0]!.tools!.find((t) => t.function.name === 'mcp_add')!;
    expect(add.function.description).toBe('Adds two numbers');
    expect(add.function.parameters).toMatchObject({ type: 'object', required: ['a', 'b'] });
  });

  test('runs an MCP tool, sends its result back as a tool message, and returns the final answer', async () => {
    const { res, body, seen } = await run('adder');
    expect(res.status).toBe(200);
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: 'The sum is 5' });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage).toEqual({ prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 });
    expect(seen).toHaveLength(2);
    const [assistant, tool] = seen[1]!.messages.slice(-2);
    expect(assistant).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_0_0', type: 'function', function: { name: 'mcp_add', arguments: '{"a":2,"b":3}' } }],
    });
    expect(tool).toEqual({ role: 'tool', tool_call_id: 'call_0_0', content: '5' });
    expect(server.calls.filter((c) => c.tool === 'add').at(-1)).toEqual({ tool: 'add', args: { a: 2, b: 3 } });
  });

  test('a failing tool becomes an Error: message for the model, not an HTTP failure', async () => {
    const { res, body } = await run('failer');
    expect(res.status).toBe(200);
    expect(body.choices[0].message.content).toBe('Tool said: Error: the tool failed on purpose');
  });

  test('arguments that are not JSON become a tool error, and the server is never called', async () => {
    const adds = server.calls.filter((c) => c.tool === 'add').length;
    const { body } = await run('bad-json');
    expect(body.choices[0].message.content).toStartWith('Error: the arguments are not valid JSON');
    expect(server.calls.filter((c) => c.tool === 'add')).toHaveLength(adds);
  });

  test("arguments that break the tool's input schema become a tool error, and the server is never called", async () => {
    const adds = server.calls.filter((c) => c.tool === 'add').length;
    const { body } = await run('bad-args');
    expect(body.choices[0].message.content).toStartWith('Error: invalid arguments for add:');
    expect(server.calls.filter((c) => c.tool === 'add')).toHaveLength(adds);
  });

  test("calls to the client's own tools come back to the client untouched", async () => {
    const { body, seen } = await run('client-tool', { tools: [weatherTool] });
    expect(seen).toHaveLength(1);
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.tool_calls).toEqual([
      { id: 'call_client', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
    ]);
  });

  test('when one answer calls both, the client gets only its own calls and the MCP call is not run', async () => {
    const echoes = server.calls.filter((c) => c.tool === 'echo').length;
    const { body, seen } = await run('mixed', { tools: [weatherTool] });
    expect(seen).toHaveLength(1);
    expect(body.choices[0].message.tool_calls.map((c: { function: { name: string } }) => c.function.name)).toEqual(['get_weather']);
    expect(server.calls.filter((c) => c.tool === 'echo')).toHaveLength(echoes);
  });

  test('several tool calls in one turn run concurrently', async () => {
    const { body } = await run('pair');
    expect(body.choices[0].message.content).toBe('together+together');
  });

  test('stops at MCP_MAX_ITERATIONS model calls and returns the last answer without its MCP calls', async () => {
    const { body, seen } = await run('forever');
    expect(seen).toHaveLength(3);
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: 'round 3' });
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.total_tokens).toBe(42);
  });

  test('X-MCP-Tools narrows the tools a request is offered; "none" offers none', async () => {
    const narrowed = await run('plain', {}, { 'X-MCP-Tools': 'echo, mcp_add' });
    expect(narrowed.seen[0]!.tools!.map((t) => t.function.name)).toEqual(['mcp_echo', 'mcp_add']);
    const none = await run('plain', { tools: [weatherTool] }, { 'X-MCP-Tools': 'none' });
    expect(none.seen[0]!.tools!.map((t) => t.function.name)).toEqual(['get_weather']);
    const noTools = await run('plain', {}, { 'X-MCP-Tools': '' });
    expect(noTools.seen[0]!.tools).toBeUndefined();
  });

  test('X-MCP-Servers picks servers by URL or by the name the server reports', async () => {
    const byName = await run('plain', {}, { 'X-MCP-Servers': 'loop-tools' });
    expect(byName.seen[0]!.tools).toHaveLength(5);
    const byUrl = await run('plain', {}, { 'X-MCP-Servers': `${server.url}/` });
    expect(byUrl.seen[0]!.tools).toHaveLength(5);
    const other = await run('plain', {}, { 'X-MCP-Servers': 'http://elsewhere/mcp' });
    expect(other.seen[0]!.tools).toBeUndefined();
  });

  test('an MCP tool name never shadows a client tool of the same name', async () => {
    const clientEcho = { type: 'function', function: { name: 'mcp_echo', parameters: { type: 'object' } } };
    const { seen } = await run('plain', { tools: [clientEcho] }, { 'X-MCP-Tools': 'echo' });
    expect(seen[0]!.tools!.map((t) => t.function.name)).toEqual(['mcp_echo', 'mcp_echo_2']);
    expect(seen[0]!.tools![0]!.function.parameters).toEqual({ type: 'object' });
  });
});
