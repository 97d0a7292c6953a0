import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { sseData } from '../helpers/fake-provider.ts';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { chat, mcpGateway, scriptedProvider, seenChats, toolResults, waitForTools, type SeenChat, type Turn } from './harness.ts';

const server = startMcpServer('stream-tools');

function decide(c: SeenChat): Turn | Response {
  const results = toolResults(c);
  switch (c.model) {
    case 'adder':
      return results.length === 0
        ? { content: 'Let me add. ', calls: [{ name: 'mcp_add', args: { a: 20, b: 22 } }] }
        : { content: `The sum is ${results[0]!.content}.` };
    case 'two-rounds':
      return results.length < 2
        ? { calls: [{ name: 'mcp_echo', args: { text: `step ${results.length + 1}` } }] }
        : { content: results.map((r) => r.content).join(' / ') };
    case 'client-tool':
      return { calls: [{ name: 'get_weather', args: { city: 'Oslo' }, id: 'call_client' }] };
    case 'forever':
      return { content: `r${results.length + 1} `, calls: [{ name: 'mcp_echo', args: { text: 'again' } }] };
    case 'breaks-later':
      return results.length === 0
        ? { calls: [{ name: 'mcp_echo', args: { text: 'x' } }] }
        : Response.json({ error: { message: 'model overloaded' } }, { status: 503 });
    default:
      return { content: 'plain streamed answer' };
  }
}

const provider = scriptedProvider(decide);
const gw = mcpGateway(provider, [server.url], { MCP_MAX_ITERATIONS: '3' });
beforeAll(() => waitForTools(gw, (names) => names.includes('echo')));
afterAll(() => Promise.all([gw.stop(), provider.stop(), server.stop()]));

interface Chunk {
  choices: { delta: { content?: string; tool_calls?: { function: { name?: string } }[] }; finish_reason: string | null }[];
  usage?: Record<string, number>;
}

const HIDE = { 'x-mcp-tool-calls': 'hide' };

async function streamed(model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await chat(gw, { model: `openai/${model}`, stream: true, ...extra }, headers);
  const data = await sseData(res);
  const chunks = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Chunk);
  const text = chunks.map((c) => c.choices?.[0]?.delta.content ?? '').join('');
  const finishes = chunks.map((c) => c.choices?.[0]?.finish_reason).filter((f) => f != null);
  return { res, data, chunks, text, finishes };
}

describe('the agent loop, streamed', () => {
  test("one stream: every round's chunks, the MCP tool call the gateway ran included, then one [DONE]", async () => {
    const { res, data, chunks, text, finishes } = await streamed('adder');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(text).toBe('Let me add. The sum is 42.');
    expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.function.name)).toEqual(['mcp_add', undefined]);
    expect(finishes).toEqual(['tool_calls', 'stop']);
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
  });

  test("hidden (X-MCP-Tool-Calls: hide): one coherent stream, the MCP calls kept inside, one finish and one [DONE]", async () => {
    const before = provider.received.length;
    const { res, data, chunks, text, finishes } = await streamed('adder', {}, HIDE);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(text).toBe('Let me add. The sum is 42.');
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls !== undefined)).toBe(false);
    expect(finishes).toEqual(['stop']);
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
    expect(data.at(-1)).toBe('[DONE]');
    // The provider got the streamed tool call back whole, arguments reassembled from their fragments.
    const second = seenChats(provider).slice(before)[1]!;
    expect(second.messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: 'Let me add. ',
        tool_calls: [{ id: 'call_0_0', type: 'function', function: { name: 'mcp_add', arguments: '{"a":20,"b":22}' } }],
      },
      { role: 'tool', tool_call_id: 'call_0_0', content: '42' },
    ]);
    expect(second.stream).toBe(true);
    // The gateway asked for usage to count tokens; the client did not, so it gets no usage chunk.
    expect(second.stream_options).toEqual({ include_usage: true });
    expect(chunks.filter((c) => c.usage !== undefined)).toEqual([]);
  });

  test('several rounds in a row still end with exactly one [DONE]', async () => {
    const { data, text } = await streamed('two-rounds');
    expect(text).toBe('echo: step 1 / echo: step 2');
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
  });

  test('hidden, the openai SDK reads the whole loop as one answer with no stray tool calls', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${gw.url}/v1`, defaultHeaders: HIDE });
    const stream = client.chat.completions.stream({ model: 'openai/adder', messages: [{ role: 'user', content: 'add' }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Let me add. The sum is 42.');
    expect(final.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(final.choices[0]!.finish_reason).toBe('stop');
  });

  test('asked for usage, the client gets one usage chunk with the sum of every round', async () => {
    const { chunks } = await streamed('adder', { stream_options: { include_usage: true } });
    const usage = chunks.filter((c) => c.usage !== undefined);
    expect(usage).toHaveLength(1);
    expect(usage[0]!.usage).toEqual({ prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 });
    expect(chunks.at(-1)).toBe(usage[0]!);
  });

  test("the client's own tool calls stream through untouched", async () => {
    const { chunks, finishes, data } = await streamed('client-tool', {
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const names = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.function.name);
    expect(names).toEqual(['get_weather', undefined]);
    expect(finishes).toEqual(['tool_calls']);
    expect(data.at(-1)).toBe('[DONE]');
  });

  test('at MCP_MAX_ITERATIONS the stream ends with finish_reason "length" and one [DONE]', async () => {
    const before = provider.received.length;
    const { text, finishes, data } = await streamed('forever', {}, HIDE);
    expect(provider.received.length - before).toBe(3);
    expect(text).toBe('r1 r2 r3 ');
    expect(finishes).toEqual(['length']);
    expect(data.filter((d) => d === '[DONE]')).toHaveLength(1);
    // Shown, each round announces its calls; the last ones were not run, so the end says "length".
    const shown = await streamed('forever');
    expect(shown.finishes).toEqual(['tool_calls', 'tool_calls', 'tool_calls', 'length']);
  });

  test('a provider failure in a later round ends the stream with one error event and no [DONE]', async () => {
    const { data, chunks } = await streamed('breaks-later');
    expect(data).not.toContain('[DONE]');
    expect(chunks.filter((c) => !c.choices)).toHaveLength(1);
    const last = JSON.parse(data.at(-1)!) as { error: string };
    expect(last.error).toContain('model overloaded');
  });

  test('a failure in the first round keeps its HTTP status', async () => {
    const res = await chat(gw, { model: 'openai/breaks-later', stream: true, messages: [{ role: 'tool', tool_call_id: 'x', content: 'y' }] });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toContain('model overloaded');
  });
});
