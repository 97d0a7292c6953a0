import { expect, test } from 'bun:test';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';

interface Panel {
  title: string;
  targets: { expr: string }[];
}

test('every metric the Grafana dashboard queries is one the gateway exports', async () => {
  const dashboard = (await Bun.file(`${import.meta.dir}/../../deploy/grafana/inference-gateway.json`).json()) as { panels: Panel[] };
  const exported = new Set(new GatewayMetrics().registry.names());
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      for (const [, name] of expr.matchAll(/([a-z_]+?)(?:_bucket|_sum|_count)?\{/g)) if (name) used.add(name);
      for (const [, name] of expr.matchAll(/rate\(([a-z_]+?)(?:_bucket|_sum|_count)?\[/g)) if (name) used.add(name);
    }
  }
  expect(used.size).toBeGreaterThanOrEqual(7);
  for (const name of used) expect(exported).toContain(name);
  const titles = dashboard.panels.map((p) => p.title).join(' | ');
  for (const topic of ['errors', 'Tokens', 'Time to first token', 'overhead', 'MCP']) expect(titles).toContain(topic);
});
