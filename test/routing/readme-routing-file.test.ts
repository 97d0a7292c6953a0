/** The README's worked routing file is a valid one, and says what the code does by default. */
import { expect, test } from 'bun:test';
import { parseRoutingText } from '../../src/routing/config-file.ts';
import { BUILT_IN_SETTINGS, validateRouting } from '../../src/routing/config.ts';

const readme = await Bun.file(`${import.meta.dir}/../../README.md`).text();
const section = readme.slice(readme.indexOf('## Routing and failover'), readme.indexOf('## Authentication'));

test('the worked routing file loads with no mistakes', () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const ids = new Set(['openai', 'anthropic', 'mistral']);
  const { table, problems } = validateRouting(parseRoutingText(yaml, 'routing.yaml'), 'routing.yaml', { all: ids, usable: ids });
  expect(problems).toEqual([]);
  expect(table.routes.get('smart')?.deployments.map((d) => d.key)).toEqual(['openai/gpt-4o', 'anthropic/claude-sonnet-4-20250514', 'mistral/mistral-large-latest']);
});

test('the defaults it states are the built-in ones', () => {
  const s = BUILT_IN_SETTINGS;
  const stated = `\`strategy: round_robin\`, \`retries: ${s.retries}\`, \`first_token_timeout: ${s.firstTokenTimeoutMs / 1000}s\`,\n\`stall_timeout: ${s.stallTimeoutMs / 1000}s\`, \`max_retry_after: ${s.maxRetryAfterMs / 1000}s\`, \`breaker: { failures: ${s.breaker.failures}, cooldown: ${s.breaker.cooldownMs / 1000}s }\``;
  expect(section).toContain(stated);
});
