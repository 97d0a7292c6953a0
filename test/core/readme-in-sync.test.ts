import { expect, test } from 'bun:test';
import { renderReadme } from '../../scripts/readme-tables.ts';

test('the README tables match the spec (run scripts/readme-tables.ts after changing it)', async () => {
  const readme = await Bun.file(`${import.meta.dir}/../../README.md`).text();
  expect(renderReadme(readme)).toBe(readme);
  expect(readme).toContain('| `openai` | `https://api.openai.com/v1` | bearer | yes |');
  expect(readme).toContain('`CLIENT_TIMEOUT`');
});

test('openapi.yaml is the shared contract, unchanged', async () => {
  const shared = Bun.file(`${import.meta.dir}/../../../shared/openapi.yaml`);
  if (!(await shared.exists())) return; // a clone without the shared folder beside it
  expect(await Bun.file(`${import.meta.dir}/../../openapi.yaml`).text()).toBe(await shared.text());
});
