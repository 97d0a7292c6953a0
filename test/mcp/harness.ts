/** MCP test harness: a scripted provider (tool calls, then answers), a gateway with short MCP timings. */
import type { Env } from '../../src/config.ts';
import { fakeProvider, sseResponse, type FakeProvider } from '../helpers/fake-provider.ts';
import { listeningGateway, type ListeningGateway } from '../helpers/gateway.ts';

export interface SeenMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** A chat body as the provider received it. */
export interface SeenChat {
  model: string;
  messages: SeenMessage[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/** One model turn: text, and/or tool calls (`args` given as a string is sent verbatim, even if not JSON). */
export interface Turn {
  content?: string;
  calls?: { name: string; args: unknown; id?: string }[];
  finish?: string;
}

const USAGE = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };
const BASE = { id: 'chatcmpl-mcp', created: 1_700_000_000, model: 'gpt-4o' };

function callsOf(turn: Turn, n = 0) {
  return (turn.calls ?? []).map((c, i) => ({
    id: c.id ?? `call_${n}_${i}`,
    type: 'function',
    function: { name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args) },
  }));
}

function finishOf(turn: Turn): string {
  return turn.finish ?? (turn.calls?.length ? 'tool_calls' : 'stop');
}

/** A non-streamed answer for `turn`. */
export function jsonTurn(turn: Turn, n = 0): Response {
  const calls = callsOf(turn, n);
  const message = { role: 'assistant', content: turn.content ?? null, ...(calls.length ? { tool_calls: calls } : {}) };
  return Response.json({ ...BASE, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finishOf(turn) }], usage: USAGE });
}

/** The stream chunks for `turn`: text in two pieces, each tool call's arguments in two fragments. */
export function streamTurn(turn: Turn, n = 0, withUsage = false): Response {
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...BASE, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '' })];
  if (turn.content) {
    const half = Math.ceil(turn.content.length / 2);
    events.push(chunk({ content: turn.content.slice(0, half) }), chunk({ content: turn.content.slice(half) }));
  }
  callsOf(turn, n).forEach((c, index) => {
    const args = c.function.arguments;
    const cut = Math.floor(args.length / 2);
    events.push(
      chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: args.slice(0, cut) } }] }),
      chunk({ tool_calls: [{ index, function: { arguments: args.slice(cut) } }] }),
    );
  });
  events.push(chunk({}, finishOf(turn)));
  if (withUsage) events.push(`data: ${JSON.stringify({ ...BASE, object: 'chat.completion.chunk', choices: [], usage: USAGE })}\n\n`);
  return sseResponse(events);
}

/** How many tool results the conversation holds so far (the round the model is in, minus one). */
export function toolResults(chat: SeenChat): SeenMessage[] {
  return chat.messages.filter((m) => m.role === 'tool');
}

/** A provider that answers each chat with `decide(chat)`, streamed when the chat asks for it. */
export function scriptedProvider(decide: (chat: SeenChat) => Turn | Response): FakeProvider {
  return fakeProvider({
    'POST /chat/completions': (_req, rec) => {
      const chat = JSON.parse(rec.body) as SeenChat;
      const turn = decide(chat);
      if (turn instanceof Response) return turn;
      const n = toolResults(chat).length;
      return chat.stream ? streamTurn(turn, n, chat.stream_options?.include_usage === true) : jsonTurn(turn, n);
    },
  });
}

/** The chats the provider received, parsed. */
export function seenChats(provider: FakeProvider): SeenChat[] {
  return provider.calls('POST /v1/chat/completions').map((r) => JSON.parse(r.body) as SeenChat);
}

/** MCP settings with intervals short enough for tests. */
export const FAST_MCP: Env = {
  MCP_ENABLE: 'true',
  MCP_EXPOSE: 'true',
  MCP_INITIAL_BACKOFF: '20ms',
  MCP_RETRY_INTERVAL: '100ms',
  MCP_RECONNECT_INTERVAL: '100ms',
  MCP_MAX_RETRIES: '2',
  MCP_POLLING_INTERVAL: '100ms',
  MCP_POLLING_TIMEOUT: '300ms',
  MCP_REQUEST_TIMEOUT: '2s',
};

/** A listening gateway with OpenAI pointed at `provider` and MCP at `servers`. */
export function mcpGateway(provider: FakeProvider | undefined, servers: string[], env: Env = {}): ListeningGateway {
  return listeningGateway({
    ...FAST_MCP,
    ...(provider ? { OPENAI_API_URL: provider.url, OPENAI_API_KEY: 'sk-mcp-test' } : {}),
    MCP_SERVERS: servers.join(','),
    ...env,
  });
}

interface Listing {
  object: string;
  data: { name: string; description: string; server: string; input_schema: Record<string, unknown> }[];
}

/** GET /v1/mcp/tools. */
export async function listTools(gw: ListeningGateway): Promise<Listing> {
  return (await (await fetch(`${gw.url}/v1/mcp/tools`)).json()) as Listing;
}

/** Polls the listing until `ok` holds for it (or fails after `timeoutMs`). */
export async function waitForTools(gw: ListeningGateway, ok: (names: string[]) => boolean, timeoutMs = 3000): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  let names: string[] = [];
  while (performance.now() < deadline) {
    names = (await listTools(gw)).data.map((t) => t.name);
    if (ok(names)) return names;
    await Bun.sleep(20);
  }
  throw new Error(`tools never matched; last seen: [${names.join(', ')}]`);
}

/** POST /v1/chat/completions with fetch. */
export function chat(gw: ListeningGateway, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
}
