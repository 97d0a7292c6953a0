import { afterAll, expect, test } from 'bun:test';
import { sseData } from '../helpers/fake-provider.ts';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { chat, jsonTurn, mcpGateway, scriptedProvider, seenChats, streamTurn, toolResults, waitForTools, type SeenChat } from './harness.ts';

const server = startMcpServer('shared-tools');

function chatNumber(c: SeenChat): string {
  return /question (\d+)/.exec(c.messages.find((m) => m.role === 'user')?.content ?? '')?.[1] ?? '?';
}

/** Each chat asks for an echo of its own number; answers are delayed so the chats interleave. */
const provider = scriptedProvider((c) => {
  const n = chatNumber(c);
  const results = toolResults(c);
  const turn = results.length === 0 ? { calls: [{ name: 'mcp_echo', args: { text: `from ${n}` } }] } : { content: `answer ${n}: ${results[0]!.content}` };
  const delayed = async () => {
    await Bun.sleep(5 + ((Number(n) * 7) % 30));
    return c.stream ? streamTurn(turn) : jsonTurn(turn);
  };
  return new Response(
    new ReadableStream({
      async start(controller) {
        const res = await delayed();
        controller.enqueue(new Uint8Array(await res.arrayBuffer()));
        controller.close();
      },
    }),
    { headers: { 'content-type': c.stream ? 'text/event-stream' : 'application/json' } },
  );
});
const gw = mcpGateway(provider, [server.url]);
afterAll(() => Promise.all([gw.stop(), provider.stop(), server.stop()]));

async function finalText(res: Response, stream: boolean): Promise<string> {
  if (!stream) return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
  const data = (await sseData(res)).filter((d) => d !== '[DONE]');
  return data.map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
}

test('concurrent chats never see each other’s messages, tools or results', async () => {
  await waitForTools(gw, (names) => names.includes('echo'));
  const numbers = Array.from({ length: 8 }, (_, i) => i);
  const answers = await Promise.all(
    numbers.map(async (i) => {
      const stream = i % 2 === 0;
      const headers = { 'X-MCP-Tools': i % 4 < 2 ? 'echo' : 'echo,add' };
      const res = await chat(gw, { model: `openai/model-${i}`, stream, messages: [{ role: 'user', content: `question ${i}` }] }, headers);
      return finalText(res, stream);
    }),
  );
  expect(answers).toEqual(numbers.map((i) => `answer ${i}: echo: from ${i}`));
  const seen = seenChats(provider);
  expect(seen).toHaveLength(16);
  for (const c of seen) {
    const n = Number(chatNumber(c));
    expect(c.model).toBe(`model-${n}`);
    expect(c.messages.filter((m) => m.role === 'user')).toHaveLength(1);
    expect(toolResults(c).map((m) => m.content)).toEqual(toolResults(c).length ? [`echo: from ${n}`] : []);
    expect(c.tools!.map((t) => t.function.name)).toEqual(n % 4 < 2 ? ['mcp_echo'] : ['mcp_echo', 'mcp_add']);
  }
});
