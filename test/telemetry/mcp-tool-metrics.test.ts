import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/telemetry/log.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import { startMetricsServer } from '../../src/telemetry/metrics-server.ts';
import { startMcpServer } from '../helpers/mcp-server.ts';
import { FAST_MCP, scriptedProvider, toolResults } from '../mcp/harness.ts';

const server = startMcpServer('metered-tools');
// Round 1 calls add (ok) and fail (error); round 2 answers.
const provider = scriptedProvider((c) =>
  toolResults(c).length === 0
    ? { calls: [{ name: 'mcp_add', args: { a: 1, b: 2 } }, { name: 'mcp_fail', args: {} }] }
    : { content: 'done' },
);
const metrics = new GatewayMetrics();
const app = createApp(
  loadConfig({ ...FAST_MCP, MCP_SERVERS: server.url, OPENAI_API_URL: provider.url, OPENAI_API_KEY: 'sk-mcp-metrics', TELEMETRY_ENABLE: 'true' }),
  { metrics, logger: silentLogger() },
);
app.listen({ port: 0, hostname: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server!.port}`;
const metricsServer = startMetricsServer(metrics, '127.0.0.1', 0);

beforeAll(async () => {
  for (let i = 0; i < 300; i++) {
    const list = (await (await fetch(`${base}/v1/mcp/tools`)).json()) as { data: { name: string }[] };
    if (list.data.some((t) => t.name === 'fail')) return;
    await Bun.sleep(10);
  }
  throw new Error('MCP tools never appeared');
});
afterAll(async () => {
  await app.stop(true);
  await metricsServer.stop(true);
  await Promise.all([provider.stop(), server.stop()]);
});

test('MCP tool calls are counted by server, tool and outcome, with their durations', async () => {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'add and fail' }] }),
  });
  expect(res.status).toBe(200);
  const text = await (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text();
  const serverLabel = `mcp_server="${server.url}"`;
  const line = (name: string, tool: string, outcome: string) =>
    text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(serverLabel) && l.includes(`gen_ai_tool_name="${tool}"`) && l.includes(`outcome="${outcome}"`));
  expect(line('inference_gateway_mcp_tool_calls_total', 'add', 'ok')).toEndWith(' 1');
  expect(line('inference_gateway_mcp_tool_calls_total', 'fail', 'error')).toEndWith(' 1');
  expect(line('mcp_client_operation_duration_seconds_count', 'add', 'ok')).toEndWith(' 1');
  // Both model rounds count as one chat, with the provider and tool time as its upstream wait.
  expect(text).toContain('inference_gateway_requests_total{gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",http_response_status_code="200"} 1');
});
