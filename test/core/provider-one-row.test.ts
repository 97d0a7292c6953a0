/**
 * A provider is one row: in a copy of the gateway whose openapi.yaml gains an `acme` row in
 * x-provider-configs (and nothing else), --help and the README list ACME_API_URL/ACME_API_KEY and a chat for
 * `acme/x` reaches a local fake with the key as a bearer token. A setting the code reads but the
 * table lacks stops start-up with a ConfigError naming it.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { REPO_ROOT, runMain, spawnGateway } from '../helpers/spawn-gateway.ts';

const ACME_ROW = `
        acme:
          id: 'acme'
          url: 'https://api.acme.test/v1'
          auth_type: 'bearer'
          supports_vision: false
          endpoints:
            models:
              name: 'list_models'
              method: 'GET'
              endpoint: '/models'
            chat:
              name: 'chat_completions'
              method: 'POST'
              endpoint: '/chat/completions'`;

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A runnable copy of the gateway with its openapi.yaml passed through `edit`. */
async function gatewayCopy(edit: (spec: string) => string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-copy-'));
  copies.push(dir);
  for (const name of ['src', 'scripts', 'README.md', 'package.json', 'tsconfig.json']) cpSync(join(REPO_ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const spec = await Bun.file(join(REPO_ROOT, 'openapi.yaml')).text();
  const edited = edit(spec);
  if (edited === spec) throw new Error('the edit changed nothing in openapi.yaml');
  await Bun.write(join(dir, 'openapi.yaml'), edited);
  return dir;
}

const withAcme = (spec: string) => spec.replace(/^( {6}x-provider-configs:)$/m, `$1${ACME_ROW}`);

describe('a provider added to x-provider-configs alone', () => {
  const fake = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('hello from acme', 'x')) });
  afterAll(() => fake.stop());
  const copy = gatewayCopy(withAcme);

  test('--help lists ACME_API_URL (with the row url as default) and ACME_API_KEY', async () => {
    const run = await runMain({}, ['--help'], await copy);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}ACME_API_URL +acme API URL \(default: https:\/\/api\.acme\.test\/v1\)$/m);
    expect(run.stdout).toMatch(/^ {2}ACME_API_KEY +acme API Key$/m);
    // Rows the spec's x-config already has are not listed twice.
    expect(run.stdout.match(/^ {2}OPENAI_API_KEY /gm)).toHaveLength(1);
  });

  test('the README tables, regenerated, have its row and its two variables', async () => {
    const dir = await copy;
    const gen = Bun.spawnSync([process.execPath, 'scripts/readme-tables.ts'], { cwd: dir, stdout: 'pipe', stderr: 'pipe' });
    expect(gen.exitCode).toBe(0);
    const readme = await Bun.file(join(dir, 'README.md')).text();
    expect(readme).toContain('| `acme` | `https://api.acme.test/v1` | bearer | no | `ACME_API_KEY`, `ACME_API_URL` |');
    expect(readme).toContain('| providers | `ACME_API_URL` | string | `https://api.acme.test/v1` | acme API URL |');
    expect(readme).toContain('| providers | `ACME_API_KEY` | string |  | acme API Key (secret) |');
  });

  test('a chat for acme/x reaches ACME_API_URL with ACME_API_KEY as a bearer token', async () => {
    const gw = await spawnGateway({ ACME_API_URL: fake.url, ACME_API_KEY: 'acme-key-1' }, await copy);
    try {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'acme/x', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(chatCompletion('hello from acme', 'x'));
      const rec = fake.last();
      expect(`${rec.method} ${rec.path}`).toBe('POST /v1/chat/completions');
      expect(rec.headers.authorization).toBe('Bearer acme-key-1');
      expect(JSON.parse(rec.body).model).toBe('x');
    } finally {
      await gw.stop();
    }
  });
});

describe('a setting the code reads but the table lacks', () => {
  test('stops start-up with exit 2 and a ConfigError naming it, not a stack trace', async () => {
    // Drops ENABLE_VISION's row from x-config; config.ts still reads it.
    const copy = await gatewayCopy((spec) => spec.replace(/^ {16}- name: enable_vision\n(?: {18}.*\n)+/m, ''));
    const run = await runMain({}, [], copy);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "Invalid configuration:\n  - ENABLE_VISION: read as bool but the settings table has no such setting (add it to src/settings.ts or to openapi.yaml's x-config)\n",
    );
  });
});
