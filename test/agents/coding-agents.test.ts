import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chatChunks, fakeProvider, sseResponse, type Recorded } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';
import { ensureCodingAgents, runClaudeCode, runCodex } from '../helpers/coding-agents.ts';

// Claude Code (Anthropic Messages) and Codex (OpenAI Responses) pointed at the gateway, served by a
// provider that speaks only chat completions: every request and answer is translated both ways.
interface SeenChat {
  model: string;
  stream?: boolean;
  messages: { role: string; content: unknown; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
}

const base = { id: 'chatcmpl-agent', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'x' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A tool call streamed in three pieces, as providers do. */
function toolCallStream(name: string, args: Record<string, unknown>): string[] {
  const json = JSON.stringify(args);
  const mid = Math.ceil(json.length / 2);
  return [
    chunk({ role: 'assistant', content: 'Running it. ' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_agent_1', type: 'function', function: { name, arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(0, mid) } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(mid) } }] }),
    chunk({}, 'tool_calls'),
  ];
}

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => (typeof p === 'object' && p && 'text' in p ? String(p.text) : '')).join('') : '';

function answer(chat: SeenChat): string[] {
  const last = chat.messages.at(-1);
  if (last?.role === 'tool') return chatChunks([`TOOL_RESULT_SEEN: ${textOf(last.content).includes('hello-from-tool') ? 'hello-from-tool' : 'missing'}`]);
  const names = (chat.tools ?? []).map((t) => t.function.name);
  const wantsTool = chat.messages.some((m) => m.role === 'user' && textOf(m.content).includes('echo hello-from-tool'));
  if (wantsTool && names.includes('Bash')) return toolCallStream('Bash', { command: 'echo hello-from-tool', description: 'Print a greeting' });
  if (wantsTool && names.includes('exec_command')) return toolCallStream('exec_command', { cmd: 'echo hello-from-tool' });
  return chatChunks(['FAKE_OK ', 'from the chat provider']);
}

const provider = fakeProvider({
  'POST /chat/completions': (_req, rec: Recorded) => {
    const chat = JSON.parse(rec.body) as SeenChat;
    return sseResponse(answer(chat));
  },
});
const gw = listeningGateway({ GROQ_API_URL: provider.url, GROQ_API_KEY: 'gsk-agents-provider-key' });
const chats = () => provider.received.filter((r) => r.path.endsWith('/chat/completions'));

beforeAll(() => ensureCodingAgents(), 240_000);
afterAll(() => Promise.all([gw.stop(), provider.stop()]));

describe('Claude Code through /v1/messages on a chat-completions provider', () => {
  test('one text turn', async () => {
    const before = chats().length;
    const run = await runClaudeCode(gw.url, 'groq/llama-3.3-70b', 'Say hello.');
    expect(run.result, run.stderr).toMatchObject({ is_error: false, result: 'FAKE_OK from the chat provider' });
    const sent = chats().slice(before);
    expect(sent).toHaveLength(1);
    // The provider got the gateway's key, never the client's.
    expect(sent[0]!.headers.authorization).toBe('Bearer gsk-agents-provider-key');
    expect(JSON.stringify(sent[0]!.headers)).not.toContain('gateway-client-key');
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ model: 'llama-3.3-70b', stream: true });
  }, 120_000);

  test('a tool call round: Claude Code runs Bash and the provider sees the result', async () => {
    const before = chats().length;
    const run = await runClaudeCode(gw.url, 'groq/llama-3.3-70b', 'Run the shell command: echo hello-from-tool');
    expect(run.result, run.stderr).toMatchObject({ is_error: false, result: 'TOOL_RESULT_SEEN: hello-from-tool' });
    const sent = chats().slice(before).map((r) => JSON.parse(r.body) as SeenChat);
    expect(sent).toHaveLength(2);
    const tool = sent[1]!.messages.at(-1)!;
    expect(tool).toMatchObject({ role: 'tool', tool_call_id: 'call_agent_1' });
  }, 120_000);
});

describe('Codex through /v1/responses on a chat-completions provider', () => {
  test('one text turn', async () => {
    const before = chats().length;
    const run = await runCodex(gw.url, 'groq/llama-3.3-70b', 'Say hello.');
    expect(run.code, run.stderr).toBe(0);
    expect(run.last).toContain('FAKE_OK from the chat provider');
    expect(chats().length - before).toBe(1);
  }, 120_000);

  test('a function call round: Codex runs exec_command and the provider sees its output', async () => {
    const before = chats().length;
    const run = await runCodex(gw.url, 'groq/llama-3.3-70b', 'Run the shell command: echo hello-from-tool');
    expect(run.code, run.stderr).toBe(0);
    expect(run.events.some((e) => e.type === 'item.completed' && e.item?.type === 'command_execution')).toBe(true);
    expect(run.last).toContain('TOOL_RESULT_SEEN: hello-from-tool');
    const sent = chats().slice(before).map((r) => JSON.parse(r.body) as SeenChat);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_agent_1' });
  }, 120_000);
});
