import { describe, expect, test } from 'bun:test';
import { parseBlock } from '../../src/exchange/sse-parser.ts';
import { UsageSum } from '../../src/mcp/agent-round.ts';
import { RoundAssembler } from '../../src/mcp/stream-round.ts';
import { ToolSet, type McpTool } from '../../src/mcp/tool-set.ts';

const tool = (name: string): McpTool => ({ server: 'http://s/mcp', name, inputSchema: { type: 'object' } });
const chunk = (delta: unknown, finish: string | null = null) => JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

/** A parsed stream event, as the exchange hands it to the loop. */
const ev = (data: string) => {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    json = undefined;
  }
  return Object.assign(parseBlock(`data: ${data}\n\n`), { data, json, done: data === '[DONE]' });
};

describe('one streamed round', () => {
  test('tool calls without an index (one whole call per delta) are assembled and, when hidden, held back', () => {
    const round = new RoundAssembler(new ToolSet([tool('echo')], new Set()), new UsageSum(), true);
    const fed = [
      chunk({ role: 'assistant', content: 'hi' }),
      chunk({ tool_calls: [{ id: 'a', type: 'function', function: { name: 'mcp_echo', arguments: '{"text":"1"}' } }] }),
      chunk({ tool_calls: [{ id: 'b', type: 'function', function: { name: 'mcp_echo', arguments: '{"text":"2"}' } }] }),
      chunk({}, 'tool_calls'),
    ].map((d) => round.feed(ev(d)));
    expect(fed).toEqual([fed[0], undefined, undefined, undefined]);
    expect(round.content).toBe('hi');
    expect(round.calls()).toEqual([
      { id: 'a', type: 'function', function: { name: 'mcp_echo', arguments: '{"text":"1"}' } },
      { id: 'b', type: 'function', function: { name: 'mcp_echo', arguments: '{"text":"2"}' } },
    ]);
  });

  test('by default the MCP tool calls and their finish reason pass on as the provider sent them, and are still assembled', () => {
    const round = new RoundAssembler(new ToolSet([tool('echo')], new Set()), new UsageSum(), false);
    const sent = [
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'mcp_echo', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"text":"1"}' } }] }),
      chunk({}, 'tool_calls'),
    ];
    expect(sent.map((d) => round.feed(ev(d)))).toEqual(sent);
    expect(round.calls()).toEqual([{ id: 'a', type: 'function', function: { name: 'mcp_echo', arguments: '{"text":"1"}' } }]);
  });

  test("hidden: a chunk with both kinds keeps only the client's call; its finish reason stays", () => {
    const round = new RoundAssembler(new ToolSet([tool('echo')], new Set(['weather'])), new UsageSum(), true);
    const out = round.feed(
      ev(chunk({
        tool_calls: [
          { index: 0, id: 'a', function: { name: 'mcp_echo', arguments: '{}' } },
          { index: 1, id: 'b', function: { name: 'weather', arguments: '{}' } },
        ],
      })),
    );
    expect(JSON.parse(out!).choices[0].delta.tool_calls).toEqual([{ index: 1, id: 'b', function: { name: 'weather', arguments: '{}' } }]);
    expect(JSON.parse(round.feed(ev(chunk({}, 'tool_calls')))!).choices[0].finish_reason).toBe('tool_calls');
  });

  test('usage is taken out of the stream and summed; an error event is passed on and flagged', () => {
    const usage = new UsageSum();
    const round = new RoundAssembler(new ToolSet([], new Set()), usage, false);
    expect(round.feed(ev(JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })))).toBeUndefined();
    usage.add({ prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
    expect(usage.value()).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    expect(round.feed(ev('{"error":"boom"}'))).toBe('{"error":"boom"}');
    expect(round.upstreamError).toBe(true);
  });
});

describe('tool names', () => {
  test('are mcp_<tool>, made safe for OpenAI function names and unique', () => {
    const set = new ToolSet([tool('read.file'), tool('read_file'), tool('x'.repeat(80))], new Set(['mcp_read_file']));
    expect(set.chatTools().map((t) => t.function.name)).toEqual(['mcp_read_file_2', 'mcp_read_file_3', `mcp_${'x'.repeat(60)}`]);
    expect(set.get('mcp_read_file_2')?.name).toBe('read.file');
  });
});
