import { afterAll, describe, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/telemetry/log.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import { startMetricsServer } from '../../src/telemetry/metrics-server.ts';
import { chatChunks, chatCompletion, fakeProvider, sseData, sseResponse } from '../helpers/fake-provider.ts';

const usageChunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 } })}\n\n`;

const fake = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body);
    if (!body.stream) return Response.json(chatCompletion('hi', body.model, { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }));
    const wantsUsage = body.stream_options?.include_usage === true;
    return sseResponse([...chatChunks(['a', 'b']), ...(wantsUsage ? [usageChunk] : [])], { delayMs: 5 });
  },
});
const metrics = new GatewayMetrics();
const logs: string[] = [];
const config = loadConfig({
  OPENAI_API_URL: fake.url,
  OPENAI_API_KEY: 'sk-metrics-secret',
  MISTRAL_API_URL: fake.url,
  MISTRAL_API_KEY: 'mk-secret',
  TELEMETRY_ENABLE: 'true',
  OLLAMA_API_URL: 'http://127.0.0.1:9/v1',
});
const app = createApp(config, { metrics, logger: createLogger('info', (l) => logs.push(l)) });
app.listen({ port: 0, hostname: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server!.port}`;
const metricsServer = startMetricsServer(metrics, '127.0.0.1', 0);
const scrape = async () => (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text();
afterAll(async () => {
  await app.stop(true);
  await metricsServer.stop(true);
  await fake.stop();
});

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'a secret prompt' }], ...extra }),
  });

/** The value of one sample line, by metric name and a label subset. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('Prometheus metrics after chats', () => {
  test('a non-streamed chat counts the request, its tokens, duration and overhead', async () => {
    expect((await chat('openai/gpt-4o')).status).toBe(200);
    const text = await scrape();
    const labels = { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o' };
    expect(sample(text, 'inference_gateway_requests_total', { ...labels, http_response_status_code: '200' })).toBe(1);
    expect(sample(text, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'input' })).toBe(5);
    expect(sample(text, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' })).toBe(7);
    expect(sample(text, 'gen_ai_server_request_duration_seconds_count', { ...labels, gen_ai_operation_name: 'chat' })).toBe(1);
    expect(sample(text, 'inference_gateway_overhead_seconds_count', { gen_ai_provider_name: 'openai', stream: 'false' })).toBe(1);
    expect(sample(text, 'http_server_request_duration_seconds_count', { http_route: '/v1/chat/completions', http_response_status_code: '200' })).toBe(1);
  });

  test('a streamed chat is counted too: usage is asked for upstream but its chunk is kept from a client that did not ask', async () => {
    const data = await sseData(await chat('openai/gpt-4o-mini', { stream: true }));
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.some((d) => d.includes('"usage":{'))).toBe(false);
    expect(JSON.parse(fake.last().body).stream_options).toEqual({ include_usage: true });
    await Bun.sleep(20);
    const text = await scrape();
    const labels = { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini' };
    expect(sample(text, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'input' })).toBe(11);
    expect(sample(text, 'gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' })).toBe(22);
    expect(sample(text, 'gen_ai_server_time_to_first_token_seconds_count', labels)).toBe(1);
    expect(sample(text, 'inference_gateway_overhead_seconds_count', { gen_ai_provider_name: 'openai', stream: 'true' })).toBe(1);
  });

  test('a client that asked for usage gets the usage chunk', async () => {
    const data = await sseData(await chat('openai/gpt-4o-mini', { stream: true, stream_options: { include_usage: true } }));
    expect(data.filter((d) => d.includes('"usage":{'))).toHaveLength(1);
  });

  test('providers that reject stream_options are not sent it', async () => {
    await sseData(await chat('mistral/mistral-large-latest', { stream: true, stream_options: { include_usage: true } }));
    expect(JSON.parse(fake.last().body).stream_options).toBeUndefined();
  });

  test('refused requests are counted by status, with route patterns, never raw paths', async () => {
    await chat('openai/gpt-4o', { messages: [] });
    await fetch(`${base}/some/random/path-123`);
    const text = await scrape();
    expect(sample(text, 'http_server_request_duration_seconds_count', { http_route: '/v1/chat/completions', http_response_status_code: '400' })).toBe(1);
    expect(sample(text, 'http_server_request_duration_seconds_count', { http_route: 'unmatched', http_response_status_code: '404' })).toBe(1);
    expect(text).not.toContain('path-123');
  });

  test('no secret and no message content reaches the metrics or the info logs', async () => {
    const text = await scrape();
    for (const secret of ['sk-metrics-secret', 'mk-secret', 'a secret prompt']) {
      expect(text).not.toContain(secret);
      expect(logs.join('')).not.toContain(secret);
    }
  });

  test('the metrics listener answers only GET /metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsServer.port}/other`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Requested route is not found' });
  });
});
