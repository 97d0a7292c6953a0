import { afterAll, describe, expect, test } from 'bun:test';
import { startMcpServer, startSseMcpServer } from '../helpers/mcp-server.ts';
import { chat, listTools, mcpGateway, scriptedProvider, seenChats, toolResults, waitForTools } from './harness.ts';

const stops: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(stops.map((s) => s())));

/** The model calls the tool its name says (`call-echo`, `call-hang`), then answers with the result. */
const provider = scriptedProvider((c) => {
  const results = toolResults(c);
  if (results.length > 0) return { content: `result: ${results[0]!.content}` };
  const tool = c.model.replace(/^call-/, '');
  return { calls: [{ name: `mcp_${tool}`, args: tool === 'echo' ? { text: 'ping' } : {} }] };
});
stops.push(provider.stop);

async function answer(gw: ReturnType<typeof mcpGateway>, model: string): Promise<string> {
  const res = await chat(gw, { model: `openai/${model}` });
  expect(res.status).toBe(200);
  return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

describe('MCP servers that come and go', () => {
  test('a server that goes down loses its tools, and gets them back when it returns', async () => {
    const server = startMcpServer('flaky');
    const gw = mcpGateway(provider, [server.url]);
    stops.push(gw.stop, server.stop);
    await waitForTools(gw, (names) => names.includes('echo'));
    await server.stop();
    await waitForTools(gw, (names) => names.length === 0);
    // While it is down, chats still work: they are simply offered no MCP tools.
    const before = provider.received.length;
    const down = await chat(gw, { model: 'openai/plain' });
    expect(down.status).toBe(200);
    expect(seenChats(provider).slice(before)[0]!.tools).toBeUndefined();
    server.restart();
    await waitForTools(gw, (names) => names.includes('echo'));
    expect(await answer(gw, 'call-echo')).toBe('result: echo: ping');
  });

  test('a server that is down at start-up is used once it comes up (its tools are injected late)', async () => {
    const server = startMcpServer('late');
    await server.stop();
    const gw = mcpGateway(provider, [server.url]);
    stops.push(gw.stop, server.stop);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect((await listTools(gw)).data).toEqual([]);
    server.restart();
    await waitForTools(gw, (names) => names.includes('echo'));
    expect(await answer(gw, 'call-echo')).toBe('result: echo: ping');
  });

  test('a tool added on the server shows up through its list-changed notification (no polling)', async () => {
    const server = startMcpServer('growing');
    const gw = mcpGateway(provider, [server.url], { MCP_POLLING_ENABLE: 'false' });
    stops.push(gw.stop, server.stop);
    await waitForTools(gw, (names) => names.includes('echo'));
    server.addTool('brand_new');
    await waitForTools(gw, (names) => names.includes('brand_new'));
    expect(await answer(gw, 'call-brand_new')).toBe('result: brand_new ran');
  });

  test('a hanging tool hits MCP_REQUEST_TIMEOUT and becomes a tool error; the server stays usable', async () => {
    const server = startMcpServer('slow');
    const gw = mcpGateway(provider, [server.url], { MCP_REQUEST_TIMEOUT: '250ms' });
    stops.push(gw.stop, server.stop);
    await waitForTools(gw, (names) => names.includes('hang'));
    const started = performance.now();
    expect(await answer(gw, 'call-hang')).toMatch(/^result: Error: tool hang timed out after \d+ms$/);
    expect(performance.now() - started).toBeLessThan(2500);
    expect((await listTools(gw)).data.map((t) => t.name)).toContain('echo');
    expect(await answer(gw, 'call-echo')).toBe('result: echo: ping');
  });
});

describe('retries', () => {
  const attempts = (logs: string[]) => logs.filter((l) => l.includes('"msg":"mcp server unreachable"')).length;

  test('MCP_MAX_RETRIES retries after the first attempt, then none when MCP_ENABLE_RECONNECT is off', async () => {
    const server = startMcpServer('given-up');
    await server.stop();
    const gw = mcpGateway(provider, [server.url], {
      MCP_MAX_RETRIES: '2',
      MCP_INITIAL_BACKOFF: '10ms',
      MCP_RETRY_INTERVAL: '20ms',
      MCP_ENABLE_RECONNECT: 'false',
    });
    stops.push(gw.stop, server.stop);
    const deadline = performance.now() + 2000;
    while (!gw.logs.some((l) => l.includes('mcp server given up')) && performance.now() < deadline) await Bun.sleep(10);
    expect(attempts(gw.logs)).toBe(3);
    // Warned once; the later attempts of the same outage are debug lines.
    expect(gw.logs.filter((l) => l.includes('"level":"warn"') && l.includes('unreachable'))).toHaveLength(1);
    server.restart();
    await Bun.sleep(300);
    expect(attempts(gw.logs)).toBe(3);
    expect((await listTools(gw)).data).toEqual([]);
  });

  test('with MCP_ENABLE_RECONNECT on, attempts go on every MCP_RECONNECT_INTERVAL after the retries', async () => {
    const server = startMcpServer('keeps-trying');
    await server.stop();
    const gw = mcpGateway(provider, [server.url], { MCP_MAX_RETRIES: '0', MCP_RECONNECT_INTERVAL: '50ms' });
    stops.push(gw.stop, server.stop);
    await Bun.sleep(400);
    expect(attempts(gw.logs)).toBeGreaterThanOrEqual(3);
    server.restart();
    await waitForTools(gw, (names) => names.includes('echo'));
  });
});

describe('a client that goes away', () => {
  test('mid tool call: the tool is cancelled and the model is not called again', async () => {
    const server = startMcpServer('cancel');
    const gw = mcpGateway(provider, [server.url], { MCP_REQUEST_TIMEOUT: '250ms' });
    stops.push(gw.stop, server.stop);
    await waitForTools(gw, (names) => names.includes('hang'));
    const before = provider.received.length;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/call-hang', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('"role":"assistant"');
    await Bun.sleep(50);
    expect(server.calls.map((c) => c.tool)).toEqual(['hang']);
    controller.abort();
    // Had the tool kept running, its 250ms timeout would have led to a second model call by now.
    await Bun.sleep(600);
    expect(provider.received.length - before).toBe(1);
  });
});

describe('the SSE fallback', () => {
  test('a server that only speaks the older HTTP+SSE transport is listed and its tools run', async () => {
    const legacy = await startSseMcpServer('legacy');
    const gw = mcpGateway(provider, [legacy.url]);
    stops.push(gw.stop, legacy.stop);
    await waitForTools(gw, (names) => names.includes('echo'));
    expect((await listTools(gw)).data[0]!.server).toBe(legacy.url);
    expect(await answer(gw, 'call-echo')).toBe('result: echo: ping');
    expect(legacy.calls).toEqual([{ tool: 'echo', args: { text: 'ping' } }]);
    expect(gw.logs.some((l) => l.includes('"transport":"sse"'))).toBe(true);
  });
});
