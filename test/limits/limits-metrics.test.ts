import { expect, test } from 'bun:test';
import { limitsMetrics } from '../../src/limits/metrics.ts';
import { Registry } from '../../src/telemetry/prometheus.ts';
import { caller, limiterWith, memoryStore, TestClock } from './harness.ts';

test('limited requests are counted by rule and window, store errors and round trips without caller labels', async () => {
  const registry = new Registry();
  const observer = limitsMetrics(registry);
  const limiter = limiterWith(memoryStore(), 'rules: [{ name: per-user, per: caller, requests_per_minute: 1 }]', { clock: new TestClock(0), observer });
  await limiter.check(caller('alice'), 'm', 0);
  await limiter.check(caller('alice'), 'm', 0);
  await limiter.check(caller('bob'), 'm', 0);
  await limiter.check(caller('bob'), 'm', 0);
  observer.storeError?.('x');
  observer.failedOpen?.();
  observer.storeRoundTrip?.(0.0003);
  const text = registry.render();
  expect(text).toContain('inference_gateway_limited_requests_total{rule="per-user",window="requests_per_minute"} 2');
  expect(text).toContain('inference_gateway_limits_store_errors_total 1');
  expect(text).toContain('inference_gateway_limits_fail_open_total 1');
  expect(text).toContain('inference_gateway_limits_store_duration_seconds_bucket{le="0.0005"} 1');
  expect(text).not.toContain('alice');
  limiter.close();
});
