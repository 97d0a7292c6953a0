/**
 * The README's provider and configuration tables, generated from the spec (and the gateway's extra
 * settings). `bun run scripts/readme-tables.ts` rewrites them in place; a test fails when they drift.
 */
import { SETTINGS } from '../src/settings.ts';
import { PROVIDER_ROWS } from '../src/spec.ts';

const EXTRA_PROVIDER_VARS: Record<string, string> = { cloudflare: '`CLOUDFLARE_ACCOUNT_ID`' };

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Markdown table of every setting, grouped by section. */
export function configTable(): string {
  const rows = SETTINGS.map((s) => {
    const dflt = s.default === undefined || s.default === '' ? '' : `\`${s.default}\``;
    return `| ${s.section} | \`${s.env}\` | ${s.type} | ${dflt} | ${cell(s.description)}${s.secret ? ' (secret)' : ''} |`;
  });
  return ['| section | variable | type | default | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** Markdown table of every provider of the spec. */
export function providerTable(): string {
  const rows = PROVIDER_ROWS.map((p) => {
    const id = p.id.toUpperCase();
    const extra = EXTRA_PROVIDER_VARS[p.id] ?? '';
    return `| \`${p.id}\` | \`${p.url}\` | ${p.authType} | ${p.supportsVision ? 'yes' : 'no'} | \`${id}_API_KEY\`, \`${id}_API_URL\`${extra ? `, ${extra}` : ''} |`;
  });
  return ['| id | default URL | auth | vision | variables |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function fillSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${name} markers`);
  return `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`;
}

/** The README with both tables regenerated. */
export function renderReadme(doc: string): string {
  return fillSection(fillSection(doc, 'providers', providerTable()), 'config', configTable());
}

if (import.meta.main) {
  const path = `${import.meta.dir}/../README.md`;
  await Bun.write(path, renderReadme(await Bun.file(path).text()));
  console.log('README tables updated');
}
