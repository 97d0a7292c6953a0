/** The faulty provider breaks the way it is told to, as a real HTTP client (fetch) sees it. */
import { afterEach, expect, test } from 'bun:test';
import { chatAnswer, chatEvents, type Fault, type FaultyProvider, faultyProvider } from '../helpers/faulty-provider.ts';

let provider: FaultyProvider | undefined;
afterEach(() => provider?.stop());

function start(script: Fault[]): string {
  provider = faultyProvider(script);
  return `${provider.url}/chat/completions`;
}

const post = (url: string, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }), headers: { 'content-type': 'application/json' }, signal });

/** Reads a body; 'cut' when it broke, 'stall' when nothing came for `ms`. */
async function read(res: Response, ms = 300): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  let text = '';
  const decoder = new TextDecoder();
  for (let i = 0; i < 1000; i++) {
    const r = await Promise.race([reader.read().catch(() => 'cut' as const), Bun.sleep(ms).then(() => 'stall' as const)]);
    if (r === 'cut' || r === 'stall') return `${text}<${r}>`;
    if (r.done) return text;
    text += decoder.decode(r.value);
  }
  return text;
}

test('reset before headers: fetch fails', async () => {
  expect(await post(start([{ kind: 'reset' }])).then(() => 'answered', () => 'failed')).toBe('failed');
});

test('accept and never answer: nothing until the client gives up', async () => {
  const url = start([{ kind: 'silent' }]);
  expect(await post(url, AbortSignal.timeout(200)).then(() => 'answered', (e: Error) => e.name)).toBe('TimeoutError');
});

test('429 with Retry-After, then a JSON answer; requests recorded with their spacing', async () => {
  const url = start([{ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { kind: 'json', body: chatAnswer('hi') }]);
  const first = await post(url);
  expect([first.status, first.headers.get('retry-after')]).toEqual([429, '1']);
  await first.text();
  await Bun.sleep(50);
  const second = await post(url);
  expect(((await second.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('hi');
  expect(provider?.seen.map((r) => [r.method, r.path, (r.body as { model: string }).model])).toEqual([
    ['POST', '/v1/chat/completions', 'm'],
    ['POST', '/v1/chat/completions', 'm'],
  ]);
  expect(provider?.spacing()[1]).toBeGreaterThanOrEqual(45);
});

test.each([
  ['done', '[DONE]', ''],
  ['no-done', '"usage"', ''],
  ['cut', '"usage"', '<cut>'],
  ['reset', '"usage"', '<cut>'],
  ['stall', '"usage"', '<stall>'],
] as const)('stream ending %s', async (end, last, tail) => {
  const res = await post(start([{ kind: 'stream', events: chatEvents(['Hel', 'lo']), end }]));
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const text = await read(res);
  expect(text.endsWith(tail)).toBe(true);
  expect(text.replace(tail, '').trimEnd().split('\n\n').at(-1)).toContain(last);
});

test('slow first token: the role chunk at once, the content late', async () => {
  const res = await post(start([{ kind: 'stream', events: chatEvents(['late'], { firstDelayMs: 400 }), end: 'done' }]));
  const text = await read(res, 200);
  expect(text).toContain('"role":"assistant"');
  expect(text).not.toContain('late');
  expect(text.endsWith('<stall>')).toBe(true);
});
