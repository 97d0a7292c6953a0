/** Routing's metrics: attempts by alias, deployment and outcome; tokens of serving attempts; the breaker gauge. */
import { expect, test } from 'bun:test';
import { BreakerBoard } from '../../src/routing/breaker.ts';
import { RoutingMetrics } from '../../src/routing/metrics.ts';
import { Registry } from '../../src/telemetry/prometheus.ts';

test('events become series; the gauge is read when scraped', () => {
  const registry = new Registry();
  const clock = { t: 0 };
  const board = new BreakerBoard(() => clock.t);
  const m = new RoutingMetrics(registry, () => board.readout());
  m.observe({ type: 'attempt', alias: 'smart', deployment: 'openai/gpt-4o', outcome: 'retried' });
  m.observe({ type: 'attempt', alias: 'smart', deployment: 'openai/gpt-4o', outcome: 'failed_over' });
  m.observe({ type: 'attempt', alias: 'smart', deployment: 'groq/llama', outcome: 'success' });
  m.observe({ type: 'served', alias: 'smart', deployment: 'groq/llama' });
  m.observe({ type: 'usage', alias: 'smart', deployment: 'groq/llama', usage: { prompt_tokens: 7, completion_tokens: 3 } });
  board.get('openai/gpt-4o', { failures: 1, cooldownMs: 10 }).onFailure();
  const text = registry.render();
  expect(text).toContain('gateway_routing_attempts_total{alias="smart",deployment="openai/gpt-4o",outcome="retried"} 1');
  expect(text).toContain('gateway_routing_attempts_total{alias="smart",deployment="groq/llama",outcome="success"} 1');
  expect(text).toContain('gateway_routing_tokens_total{alias="smart",deployment="groq/llama",type="input"} 7');
  expect(text).toContain('gateway_routing_tokens_total{alias="smart",deployment="groq/llama",type="output"} 3');
  expect(text).toContain('# TYPE gateway_routing_breaker_state gauge\ngateway_routing_breaker_state{deployment="openai/gpt-4o"} 2');
  clock.t = 10;
  expect(registry.render()).toContain('gateway_routing_breaker_state{deployment="openai/gpt-4o"} 1');
});

test('series are found again for the same alias deployment; past the cap, client-made names count under _other', () => {
  const registry = new Registry();
  const m = new RoutingMetrics(registry, () => []);
  for (let i = 0; i < 2; i++) {
    m.observe({ type: 'attempt', alias: 'smart', deployment: 'groq/llama', outcome: 'success' });
    m.observe({ type: 'usage', alias: 'smart', deployment: 'groq/llama', usage: { prompt_tokens: 7, completion_tokens: 3 } });
  }
  // Plain provider/model routes carry the client's model name: 600 distinct ones.
  for (let i = 0; i < 600; i++) m.observe({ type: 'attempt', alias: `openai/m${i}`, deployment: `openai/m${i}`, outcome: 'success' });
  const text = registry.render();
  expect(text).toContain('gateway_routing_attempts_total{alias="smart",deployment="groq/llama",outcome="success"} 2');
  expect(text).toContain('gateway_routing_tokens_total{alias="smart",deployment="groq/llama",type="input"} 14');
  const series = text.split('\n').filter((l) => l.startsWith('gateway_routing_attempts_total{'));
  expect(series.length).toBeLessThanOrEqual(501);
  const other = series.find((l) => l.includes('alias="_other",deployment="_other"'));
  const counted = series.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  expect(other).toBeDefined();
  expect(counted).toBe(602);
});
