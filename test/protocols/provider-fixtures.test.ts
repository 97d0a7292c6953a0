/**
 * Every provider's captured answers (test/fixtures/providers/<id>.json: a completion and a stream) as an
 * Anthropic client and a Responses client see them, pinned in test/fixtures/protocols/provider-answers.json.
 * After a deliberate change, regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import { describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { chatToAnthropic } from '../../src/protocols/anthropic/answer.ts';
import { AnthropicStreamEncoder } from '../../src/protocols/anthropic/stream.ts';
import type { ChatChunk, ChatCompletion } from '../../src/protocols/chat-completion.ts';
import { chatToResponse, type ResponseContext } from '../../src/protocols/responses/answer.ts';
import { ResponsesStreamEncoder } from '../../src/protocols/responses/stream.ts';
import { sseEvents } from './sse-text.ts';

const FIXTURES = `${import.meta.dir}/../fixtures/providers`;
const GOLDEN = `${import.meta.dir}/../fixtures/protocols/provider-answers.json`;

interface Captured {
  chatModel: string;
  chat?: ChatCompletion;
  stream?: ChatChunk[];
  streamUsage?: ChatChunk;
}

function translate(id: string, f: Captured): Record<string, unknown> {
  const model = `${id}/${f.chatModel}`;
  const chunks = [...(f.stream ?? []), ...(f.streamUsage ? [f.streamUsage] : [])];
  const ctx: ResponseContext = { id: `resp_${id}`, createdAt: 1, request: { model, input: 'x' }, model };
  const anthropic = new AnthropicStreamEncoder({ model, id: `msg_${id}` });
  const responses = new ResponsesStreamEncoder(ctx);
  return {
    anthropic: {
      message: f.chat ? chatToAnthropic(f.chat, { model }) : null,
      events: sseEvents(chunks.map((c) => anthropic.chunk(c)).join('') + anthropic.end()),
    },
    responses: {
      response: f.chat ? chatToResponse(f.chat, ctx) : null,
      events: sseEvents(chunks.map((c) => responses.chunk(c)).join('') + responses.end()),
    },
  };
}

const providers = readdirSync(FIXTURES)
  .filter((n) => n.endsWith('.json'))
  .map((n) => n.slice(0, -5))
  .sort();
const actual: Record<string, unknown> = {};
for (const id of providers) {
  const f = (await Bun.file(`${FIXTURES}/${id}.json`).json()) as Captured;
  if (f.chat || f.stream) actual[id] = translate(id, f);
}
if (process.env.UPDATE_GOLDEN === '1') await Bun.write(GOLDEN, `${JSON.stringify(actual, null, 1)}\n`);
const golden = (await Bun.file(GOLDEN).json()) as Record<string, unknown>;

describe('captured provider answers through both protocols', () => {
  test('every captured provider is pinned', () => {
    expect(Object.keys(golden).sort()).toEqual(Object.keys(actual).sort());
  });
  test.each(Object.keys(actual))('%s', (id) => {
    expect(actual[id]).toEqual(golden[id]);
  });
});
