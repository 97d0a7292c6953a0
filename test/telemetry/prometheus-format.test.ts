/** The exposition the metrics listener serves: what a Prometheus scraper parses. */
import { expect, test } from 'bun:test';
import { Counter, Histogram, Registry } from '../../src/telemetry/prometheus.ts';

test('histograms: cumulative buckets, +Inf, sum and count per label set; label values escaped', () => {
  const registry = new Registry();
  const h = registry.add(new Histogram('latency_seconds', 'Latency\nof things', ['route', 'status'], [0.1, 1]));
  const ok = h.labels({ route: '/a', status: '200' });
  for (const v of [0.05, 0.5, 0.5, 5]) ok.observe(v);
  h.labels({ route: 'say "hi"\\\n', status: '500' }).observe(0.2);
  ok.observe(Number.NaN); // not a number: not counted
  expect(registry.render()).toBe(
    [
      '# HELP latency_seconds Latency\\nof things',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{route="/a",status="200",le="0.1"} 1',
      'latency_seconds_bucket{route="/a",status="200",le="1"} 3',
      'latency_seconds_bucket{route="/a",status="200",le="+Inf"} 4',
      'latency_seconds_sum{route="/a",status="200"} 6.05',
      'latency_seconds_count{route="/a",status="200"} 4',
      'latency_seconds_bucket{route="say \\"hi\\"\\\\\\n",status="500",le="0.1"} 0',
      'latency_seconds_bucket{route="say \\"hi\\"\\\\\\n",status="500",le="1"} 1',
      'latency_seconds_bucket{route="say \\"hi\\"\\\\\\n",status="500",le="+Inf"} 1',
      'latency_seconds_sum{route="say \\"hi\\"\\\\\\n",status="500"} 0.2',
      'latency_seconds_count{route="say \\"hi\\"\\\\\\n",status="500"} 1',
      '',
    ].join('\n'),
  );
});

test('counters: one line per label set, the same series for the same labels in any order', () => {
  const registry = new Registry();
  const c = registry.add(new Counter('calls_total', 'Calls', ['a', 'b']));
  c.labels({ a: 'x', b: 'y' }).inc();
  c.labels({ b: 'y', a: 'x' }).inc(2);
  c.labels({ a: 'z' }).inc();
  const text = registry.render();
  expect(text).toContain('# TYPE calls_total counter\n');
  expect(text).toContain('calls_total{a="x",b="y"} 3\n');
  expect(text).toContain('calls_total{a="z",b=""} 1\n');
  expect(registry.names()).toEqual(['calls_total']);
});
