import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { parseApiKeys } from '../../src/auth/api-keys.ts';
import { parseLimits } from '../../src/limits/limits-file.ts';
import { SETTINGS } from '../../src/settings.ts';

const ROOT = `${import.meta.dir}/../..`;
interface Doc {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    selector: { matchLabels?: Record<string, string> } & Record<string, string>;
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { args: string[] }[] } };
  };
}
const docs = Bun.YAML.parse(readFileSync(`${ROOT}/deploy/k8s/redis-limits.yaml`, 'utf8')) as Doc[];
const byKind = (kind: string) => docs.find((d) => d.kind === kind)!;

describe('deploy/k8s/redis-limits.yaml', () => {
  test('holds a ConfigMap with a valid limits file and keys file, a Redis Deployment and its Service', () => {
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Deployment', 'Service']);
    const files = byKind('ConfigMap').data!;
    expect(parseLimits(Bun.YAML.parse(files['limits.yaml']!), 'limits.yaml').rules.map((r) => r.name)).toEqual(['per-user', 'per-team-gpt', 'everyone']);
    expect(parseApiKeys(Bun.YAML.parse(files['api-keys.yaml']!), 'api-keys.yaml')).toHaveLength(1);
  });

  test('Redis runs without persistence behind a password, and the Service reaches its pod', () => {
    const redis = byKind('Deployment');
    const args = redis.spec.template.spec.containers[0]!.args;
    expect(args.slice(0, 6)).toEqual(['--requirepass', '$(REDIS_PASSWORD)', '--save', '', '--appendonly', 'no']);
    expect(byKind('Service').spec.selector).toEqual(redis.spec.template.metadata.labels);
  });

  test("the README's patch sets only settings the gateway knows, and names the files the ConfigMap holds", () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const patch = readme.slice(readme.indexOf('  - redis-limits.yaml'), readme.indexOf('kubectl create secret generic inference-gateway-redis'));
    const names = [...patch.matchAll(/name: ([A-Z_]+), value: /g)].map((m) => m[1]!);
    expect(names).toEqual(['LIMITS_CONFIG_PATH', 'AUTH_API_KEYS_PATH', 'REDIS_URL']);
    const known = new Set(SETTINGS.map((s) => s.env));
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    for (const file of Object.keys(byKind('ConfigMap').data!)) expect(patch).toContain(`/etc/inference-gateway/${file}`);
  });
});
