/** Golden table: a provider's chunk stream → the full Responses event sequence the client sees. */
import { describe, expect, test } from 'bun:test';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { ChatChunk } from '../../src/protocols/chat-completion.ts';
import { baseResponse, type ResponseContext } from '../../src/protocols/responses/answer.ts';
import { ResponsesStreamEncoder } from '../../src/protocols/responses/stream.ts';
import { sseEvents, type SseEvent } from './sse-text.ts';

const M = 'groq/openai/gpt-oss-120b';
const ctx: ResponseContext = { id: 'resp_s', createdAt: 1730000000, request: { model: M, input: 'x' }, model: M };
const inProgress = baseResponse(ctx);

type Ev = [string, Record<string, unknown>];
/** Numbers the events 0, 1, 2, … as the encoder must. */
function numbered(events: Ev[]): SseEvent[] {
  return events.map(([type, data], i) => [type, { type, ...data, sequence_number: i }]);
}
const opening: Ev[] = [
  ['response.created', { response: inProgress }],
  ['response.in_progress', { response: inProgress }],
];
const msgItem = (id: string, status: string, t?: string) => ({ type: 'message', id, status, role: 'assistant', content: t === undefined ? [] : [{ type: 'output_text', text: t, annotations: [] }] });
const rsItem = (id: string, t?: string) => ({ type: 'reasoning', id, summary: [], content: t === undefined ? [] : [{ type: 'reasoning_text', text: t }] });
const fcItem = (id: string, callId: string, name: string, args: string, status: string) => ({ type: 'function_call', id, call_id: callId, name, arguments: args, status });
const added = (i: number, item: unknown): Ev => ['response.output_item.added', { output_index: i, item }];
const done = (i: number, item: unknown): Ev => ['response.output_item.done', { output_index: i, item }];
const part = (type: string, id: string, i: number, p: unknown): Ev => [type, { item_id: id, output_index: i, content_index: 0, part: p }];
const outText = (t: string) => ({ type: 'output_text', text: t, annotations: [] });
const rsText = (t: string) => ({ type: 'reasoning_text', text: t });

/** The events of one whole message item. */
function message(i: number, id: string, deltas: string[], status = 'completed'): Ev[] {
  const all = deltas.join('');
  return [
    added(i, msgItem(id, 'in_progress')),
    part('response.content_part.added', id, i, outText('')),
    ...deltas.map((d): Ev => ['response.output_text.delta', { item_id: id, output_index: i, content_index: 0, delta: d, logprobs: [] }]),
    ['response.output_text.done', { item_id: id, output_index: i, content_index: 0, text: all, logprobs: [] }],
    part('response.content_part.done', id, i, outText(all)),
    done(i, msgItem(id, status, all)),
  ];
}
function reasoning(i: number, id: string, deltas: string[]): Ev[] {
  const all = deltas.join('');
  return [
    added(i, rsItem(id)),
    part('response.content_part.added', id, i, rsText('')),
    ...deltas.map((d): Ev => ['response.reasoning_text.delta', { item_id: id, output_index: i, content_index: 0, delta: d }]),
    ['response.reasoning_text.done', { item_id: id, output_index: i, content_index: 0, text: all }],
    part('response.content_part.done', id, i, rsText(all)),
    done(i, rsItem(id, all)),
  ];
}
function call(i: number, id: string, callId: string, name: string, deltas: string[]): Ev[] {
  const all = deltas.join('');
  return [
    added(i, fcItem(id, callId, name, '', 'in_progress')),
    ...deltas.map((d): Ev => ['response.function_call_arguments.delta', { item_id: id, output_index: i, delta: d }]),
    ['response.function_call_arguments.done', { item_id: id, output_index: i, name, arguments: all }],
    done(i, fcItem(id, callId, name, all, 'completed')),
  ];
}
function closing(type: string, status: string, output: unknown[], usage: [number, number] | null, incomplete: string | null = null): Ev {
  const u = usage && { input_tokens: usage[0], input_tokens_details: { cached_tokens: 0 }, output_tokens: usage[1], output_tokens_details: { reasoning_tokens: 0 }, total_tokens: usage[0] + usage[1] };
  return [type, { response: { ...inProgress, status, incomplete_details: incomplete ? { reason: incomplete } : null, output, usage: u } }];
}

function c(delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): ChatChunk {
  return { id: 'chatcmpl-1', choices: [{ index: 0, delta, finish_reason: finish }], ...extra } as ChatChunk;
}
const usageOnly = (p: number, o: number): ChatChunk => ({ choices: [], usage: { prompt_tokens: p, completion_tokens: o } });

const cases: [string, ChatChunk[], Ev[]][] = [
  [
    'plain OpenAI text with a usage-only last chunk',
    [c({ role: 'assistant', content: '' }), c({ content: 'Hello' }), c({ content: ' there' }), c({}, 'stop'), usageOnly(9, 2)],
    [...opening, ...message(0, 'msg_s_0', ['Hello', ' there']), closing('response.completed', 'completed', [msgItem('msg_s_0', 'completed', 'Hello there')], [9, 2])],
  ],
  [
    'groq reasoning, then text',
    [c({ reasoning: 'Think' }), c({ reasoning: '.' }), c({ content: 'Sure.' }, 'stop', { usage: { prompt_tokens: 3, completion_tokens: 4 } })],
    [
      ...opening,
      ...reasoning(0, 'rs_s_0', ['Think', '.']),
      ...message(1, 'msg_s_1', ['Sure.']),
      closing('response.completed', 'completed', [rsItem('rs_s_0', 'Think.'), msgItem('msg_s_1', 'completed', 'Sure.')], [3, 4]),
    ],
  ],
  [
    'deepseek reasoning_content, then a tool call split across chunks',
    [
      c({ reasoning_content: 'Need ls.' }),
      c({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'shell', arguments: '' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: '{"cmd"' } }] }),
      c({ tool_calls: [{ index: 0, function: { arguments: ':"ls"}' } }] }),
      c({}, 'tool_calls'),
      usageOnly(20, 8),
    ],
    [
      ...opening,
      ...reasoning(0, 'rs_s_0', ['Need ls.']),
      ...call(1, 'fc_s_1', 'call_1', 'shell', ['{"cmd"', ':"ls"}']),
      closing('response.completed', 'completed', [rsItem('rs_s_0', 'Need ls.'), fcItem('fc_s_1', 'call_1', 'shell', '{"cmd":"ls"}', 'completed')], [20, 8]),
    ],
  ],
  [
    'text, then several tool calls (one item each)',
    [
      c({ content: 'Checking.' }),
      c({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{}' } }] }),
      c({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{"x":1}' } }] }, 'tool_calls'),
    ],
    [
      ...opening,
      ...message(0, 'msg_s_0', ['Checking.']),
      ...call(1, 'fc_s_1', 'call_a', 'a', ['{}']),
      ...call(2, 'fc_s_2', 'call_b', 'b', ['{"x":1}']),
      closing(
        'response.completed',
        'completed',
        [msgItem('msg_s_0', 'completed', 'Checking.'), fcItem('fc_s_1', 'call_a', 'a', '{}', 'completed'), fcItem('fc_s_2', 'call_b', 'b', '{"x":1}', 'completed')],
        null,
      ),
    ],
  ],
  [
    'length → response.incomplete, the message marked incomplete',
    [c({ content: 'Once' }, 'length'), usageOnly(5, 1)],
    [...opening, ...message(0, 'msg_s_0', ['Once'], 'incomplete'), closing('response.incomplete', 'incomplete', [msgItem('msg_s_0', 'incomplete', 'Once')], [5, 1], 'max_output_tokens')],
  ],
  ['an empty answer', [c({}, 'stop')], [...opening, closing('response.completed', 'completed', [], null)]],
];

function run(chunks: ChatChunk[]): { events: SseEvent[]; enc: ResponsesStreamEncoder } {
  const enc = new ResponsesStreamEncoder(ctx);
  return { events: sseEvents(chunks.map((ch) => enc.chunk(ch)).join('') + enc.end()), enc };
}

describe('chat chunks → Responses stream events', () => {
  test.each(cases)('%s', (_name, chunks, expected) => {
    const { events, enc } = run(chunks);
    expect(events).toEqual(numbered(expected));
    expect(enc.response()).toEqual((expected.at(-1)?.[1] as { response: unknown }).response as never);
  });

  test.each(cases)("the openai SDK's accumulator rebuilds the final Response from the events: %s", (_name, chunks) => {
    const { events } = run(chunks);
    let snapshot: SdkResponse | undefined;
    for (const [, data] of events.slice(0, -1)) snapshot = accumulateResponse(data as ResponseStreamEvent, snapshot);
    const final = (events.at(-1)?.[1] as { response: { output: unknown } }).response;
    expect(snapshot?.output as unknown).toEqual(final.output);
  });

  test('a failure after the start is one response.failed with the message; nothing follows', () => {
    const enc = new ResponsesStreamEncoder(ctx);
    const before = enc.chunk(c({ content: 'Hel' }));
    const events = sseEvents(before + enc.fail('Upstream stream ended early'));
    expect(events.at(-1)).toEqual([
      'response.failed',
      {
        type: 'response.failed',
        response: { ...inProgress, status: 'failed', error: { code: 'server_error', message: 'Upstream stream ended early' }, output: [msgItem('msg_s_0', 'in_progress', 'Hel')] },
        sequence_number: 5,
      },
    ]);
    expect(enc.chunk(c({ content: 'x' })) + enc.end() + enc.fail('again')).toBe('');
    expect(enc.response()).toBeUndefined();
  });

  test('the exact bytes of an event', () => {
    const enc = new ResponsesStreamEncoder(ctx);
    enc.chunk(c({}));
    expect(enc.chunk(c({ tool_calls: [{ index: 0, id: 'k', function: { name: 'f' } }] }))).toBe(
      'event: response.output_item.added\ndata: {"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc_s_0","call_id":"k","name":"f","arguments":"","status":"in_progress"},"sequence_number":2}\n\n',
    );
  });
});
