/**
 * The scorecard's faults end to end: the openai SDK (retries off, so every retry is the gateway's)
 * against a routed gateway in front of two faulty providers on real sockets. Asserts what the client
 * got (the whole answer, or one clean error) and what each provider saw (attempts and spacing).
 */
import { afterEach, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { chatAnswer, chatEvents, type Fault, type FaultyProvider, faultyProvider } from '../helpers/faulty-provider.ts';
import { type RoutedGateway, routedGateway } from './routed-gateway.ts';

const ROUTING = `
models:
  smart:
    strategy: fallback
    deployments:
      - provider: openai
        model: gpt-4o
      - provider: mistral
        model: mistral-large
        prefill: true
    retries: 1
    first_token_timeout: 400ms
    stall_timeout: 400ms
    max_retry_after: 2s
    breaker: { failures: 3, cooldown: 1s }
`;

let running: { primary: FaultyProvider; fallback: FaultyProvider; gw: RoutedGateway } | undefined;
afterEach(() => {
  running?.gw.stop();
  running?.primary.stop();
  running?.fallback.stop();
  running = undefined;
});

/** Starts the providers and the gateway; `ok` answers (JSON or stream, as asked) by default. */
function start(primary: Fault[], fallback: Fault[] = []) {
  const answer = (who: string, stream: boolean): Fault => (stream ? { kind: 'stream', events: chatEvents(['Hel', 'lo'], { model: who }), end: 'done' } : { kind: 'json', body: chatAnswer('Hello', { model: who }) });
  const byKind = (list: Fault[], who: string) => (n: number, req: { body: unknown }) => list[n] ?? answer(who, (req.body as { stream?: boolean }).stream === true);
  const p = faultyProvider(byKind(primary, 'gpt-4o'));
  const f = faultyProvider(byKind(fallback, 'mistral-large'));
  const gw = routedGateway(
    { OPENAI_API_URL: p.url, OPENAI_API_KEY: 'sk-test-a', MISTRAL_API_URL: f.url, MISTRAL_API_KEY: 'sk-test-b', CLIENT_RESPONSE_HEADER_TIMEOUT: '600ms', CLIENT_TIMEOUT: '5s' },
    ROUTING,
  );
  running = { primary: p, fallback: f, gw };
  return { p, f, gw, sdk: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 }) };
}

/** One chat through the SDK: the text, or the error's status. */
async function ask(sdk: OpenAI, stream: boolean): Promise<string> {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  try {
    if (!stream) return (await sdk.chat.completions.create({ model: 'smart', messages })).choices[0]?.message.content ?? '';
    let text = '';
    for await (const c of await sdk.chat.completions.create({ model: 'smart', messages, stream: true })) text += c.choices[0]?.delta.content ?? '';
    return text;
  } catch (err) {
    return `error ${(err as { status?: number }).status ?? (err as Error).message}`;
  }
}

const ctxExceeded: Fault = { kind: 'status', status: 400, body: { error: { message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded' } } };

interface Row {
  name: string;
  primary: Fault[];
  fallback?: Fault[];
  seen: [number, number];
  /** Least gap between the primary's two attempts, in ms. */
  gap?: number;
  answer?: string;
}

const BOTH: Row[] = [
  { name: '429 with Retry-After', primary: [{ kind: 'status', status: 429, headers: { 'retry-after': '1' } }], seen: [2, 0], gap: 950 },
  { name: '429 without Retry-After', primary: [{ kind: 'status', status: 429 }], seen: [2, 0], gap: 100 },
  { name: '500 once', primary: [{ kind: 'status', status: 500 }], seen: [2, 0] },
  { name: '503 for good', primary: [{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }], seen: [2, 1] },
  { name: 'reset before headers', primary: [{ kind: 'reset' }], seen: [2, 0] },
  { name: 'no answer at all', primary: [{ kind: 'silent' }], seen: [1, 1] },
  { name: 'context length exceeded', primary: [ctxExceeded], seen: [1, 1] },
  { name: 'every deployment fails: the last one\'s status', primary: [{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }], fallback: [{ kind: 'status', status: 502 }, { kind: 'status', status: 502 }], seen: [2, 2], answer: 'error 502' },
];

describe.each([false, true])('stream=%p', (stream) => {
  test.each(BOTH)('$name', async (row) => {
    const { p, f, sdk } = start(row.primary, row.fallback);
    expect(await ask(sdk, stream)).toBe(row.answer ?? 'Hello');
    expect([p.seen.length, f.seen.length]).toEqual(row.seen);
    if (row.gap) expect(p.spacing()[1] ?? 0).toBeGreaterThanOrEqual(row.gap);
  });
});

const STREAM_ONLY: Row[] = [
  { name: 'slow first token', primary: [{ kind: 'stream', events: chatEvents(['late'], { firstDelayMs: 1500 }), end: 'done' }], seen: [1, 1] },
  { name: 'stream cut mid-answer: continued', primary: [{ kind: 'stream', events: chatEvents(['Hel']).slice(0, 2), end: 'cut' }], seen: [1, 1] },
  { name: 'stream stalled: continued', primary: [{ kind: 'stream', events: chatEvents(['Hel']).slice(0, 2), end: 'stall' }], seen: [1, 1] },
  { name: 'malformed chunk: dropped, the stream goes on', primary: [{ kind: 'stream', events: [...chatEvents(['Hel']).slice(0, 2), { data: '{not json' }, ...chatEvents(['lo']).slice(1)], end: 'done' }], seen: [1, 0] },
  { name: 'no [DONE]: finished promptly', primary: [{ kind: 'stream', events: chatEvents(['Hel', 'lo']), end: 'no-done' }], seen: [1, 0] },
];

test.each(STREAM_ONLY)('stream: $name', async (row) => {
  const fallback: Fault[] = [{ kind: 'stream', events: chatEvents(row.name.includes('continued') ? ['lo'] : ['Hel', 'lo']), end: 'done' }];
  const { p, f, sdk } = start(row.primary, fallback);
  expect(await ask(sdk, true)).toBe('Hello');
  expect([p.seen.length, f.seen.length]).toEqual(row.seen);
  if (row.name.includes('continued')) {
    // Mistral continues a trailing assistant message only with prefix: true.
    const sent = (f.seen[0]?.body as { messages: unknown[] }).messages;
    expect(sent.at(-1)).toEqual({ role: 'assistant', content: 'Hel', prefix: true });
  }
});

test('content filter: a normal answer, passed on', async () => {
  const { f, sdk } = start([{ kind: 'stream', events: chatEvents(['I can'], { finish: 'content_filter' }), end: 'done' }]);
  const chunks: string[] = [];
  for await (const c of await sdk.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'x' }], stream: true })) chunks.push(c.choices[0]?.finish_reason ?? '');
  expect(chunks).toContain('content_filter');
  expect(f.seen.length).toBe(0);
});

test('content filter, not streamed: a normal answer, passed on', async () => {
  const { f, sdk } = start([{ kind: 'json', body: chatAnswer('', { finish: 'content_filter' }) }]);
  const answer = await sdk.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'x' }] });
  expect(answer.choices[0]?.finish_reason).toBe('content_filter');
  expect(f.seen.length).toBe(0);
});

test('a continued stream: usage is the serving continuation\'s, and the attempts say what happened', async () => {
  const { gw, sdk } = start([{ kind: 'stream', events: chatEvents(['Hel']).slice(0, 2), end: 'cut' }], [{ kind: 'stream', events: chatEvents(['lo']), end: 'done' }]);
  let text = '';
  let usage: unknown;
  for await (const c of await sdk.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })) {
    text += c.choices[0]?.delta.content ?? '';
    if (c.usage) usage = c.usage;
  }
  expect(text).toBe('Hello');
  expect(usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
  expect(gw.events.filter((e) => e.type !== 'attempt')).toEqual([
    { type: 'served', alias: 'smart', deployment: 'openai/gpt-4o' },
    { type: 'usage', alias: 'smart', deployment: 'mistral/mistral-large', usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
  ]);
});
