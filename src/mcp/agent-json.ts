/** The agent loop for non-streamed chats: call, run the MCP tools asked for, call again, answer once. */
import { MAX_JSON_ANSWER } from '../chat/forward.ts';
import type { ToolCall } from '../schemas.ts';
import { withRequestId } from '../telemetry/request-record.ts';
import { callModel, continueWithTools, LIMIT_FINISH_REASON, normalizeCalls, splitCalls, UsageSum, type AgentRun } from './agent-round.ts';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

interface AnswerMessage {
  content?: string | null;
  tool_calls?: unknown;
}

function firstChoice(json: unknown): { message?: AnswerMessage; finish_reason?: unknown } | undefined {
  if (typeof json !== 'object' || json === null || !('choices' in json) || !Array.isArray(json.choices)) return undefined;
  const choice: unknown = json.choices[0];
  return typeof choice === 'object' && choice !== null ? choice : undefined;
}

function usageOfAnswer(json: unknown): unknown {
  return typeof json === 'object' && json !== null && 'usage' in json ? json.usage : undefined;
}

/** The last answer as the client gets it: MCP calls taken out, usage summed over every round. */
function finalAnswer(json: unknown, mcp: readonly ToolCall[], client: readonly ToolCall[], usage: UsageSum): unknown {
  const out = structuredClone(json) as Record<string, unknown>;
  const choice = firstChoice(out);
  if (choice?.message && mcp.length > 0) {
    if (client.length > 0) choice.message.tool_calls = [...client];
    else {
      delete choice.message.tool_calls;
      choice.finish_reason = LIMIT_FINISH_REASON;
    }
  }
  const total = usage.value();
  if (total) out.usage = total;
  return out;
}

/** Runs the loop and returns the final answer (the provider's own answer, unchanged, when no tool ran). */
export async function runJsonLoop(run: AgentRun): Promise<Response> {
  const usage = new UsageSum();
  for (let round = 1; ; round++) {
    const exchange = await callModel(run);
    const { text, json } = await exchange.json(MAX_JSON_ANSWER);
    usage.add(usageOfAnswer(json));
    const message = firstChoice(json)?.message;
    const { mcp, client } = splitCalls(normalizeCalls(message?.tool_calls), run.scope.tools);
    if (mcp.length > 0 && client.length === 0 && round < run.maxIterations) {
      await continueWithTools(run, typeof message?.content === 'string' ? message.content : null, mcp);
      continue;
    }
    if (mcp.length > 0 && client.length === 0) run.ctx.logger.warn('mcp agent loop stopped at its limit', { rounds: round });
    const status = exchange.answer.status;
    const headers = withRequestId(run.client.rec, JSON_HEADERS);
    if (round === 1 && mcp.length === 0) return new Response(text, { status, headers });
    return new Response(JSON.stringify(finalAnswer(json, mcp, client, usage)), { status, headers });
  }
}
