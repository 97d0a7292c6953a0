/**
 * The README's top and "Quick start" snippets, run as pasted after the quick start (only OPENAI_API_KEY
 * set): the curl lines with real curl and the TypeScript block with Bun, against a listening gateway
 * whose OpenAI URL is a fake provider. Only the address is substituted.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatChunks, chatCompletion, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';

const ROOT = join(import.meta.dir, '..', '..');
const README = await Bun.file(join(ROOT, 'README.md')).text();
const QUICK = README.slice(0, README.indexOf('\n## The API'));
const BLOCKS = [...QUICK.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));

/** Shell lines: continuations joined, trailing `# comments` dropped. */
const shellLines = (code: string) =>
  code
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

const fake = fakeProvider({
  'GET /models': () => Response.json({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1_700_000_000, owned_by: 'openai' }] }),
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body) as { model: string; stream?: boolean };
    return body.stream ? sseResponse(chatChunks(['Hi ', 'from the fake'], body.model)) : Response.json(chatCompletion('Hello from the fake', body.model));
  },
});
const gw = listeningGateway({ OPENAI_API_KEY: 'sk-readme-test', OPENAI_API_URL: fake.url });
const address = gw.url.replace(/^http:\/\//, '');
const scratch = mkdtempSync(join(tmpdir(), 'readme-quickstart-'));
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await gw.stop();
  await fake.stop();
});

async function run(cmd: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn(cmd, { cwd, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, OPENAI_API_KEY: 'sk-readme-test' } });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, out, err };
}

describe('the README quick start runs as pasted', () => {
  test('the first code block is exactly `npm install && npm start` and `npm test`', () => {
    expect(BLOCKS[0]!.lang).toBe('sh');
    expect(shellLines(BLOCKS[0]!.code)).toEqual(['npm install && npm start', 'npm test']);
  });

  test('the quick start sets only OPENAI_API_KEY before starting', () => {
    const setup = BLOCKS.find((b) => b.code.includes('export '))!;
    expect(shellLines(setup.code)).toEqual(['export OPENAI_API_KEY=sk-...', 'npm install && npm start']);
  });

  test('every curl line succeeds against the gateway', async () => {
    const curls = BLOCKS.filter((b) => b.lang === 'sh').flatMap((b) => shellLines(b.code)).filter((l) => l.startsWith('curl '));
    expect(curls.length).toBeGreaterThanOrEqual(4);
    for (const line of curls) {
      expect(line).toContain('localhost:8080');
      const { code, out, err } = await run(['sh', '-c', line.replaceAll('localhost:8080', address)]);
      expect({ line, code, err }).toEqual({ line, code: 0, err: '' });
      expect(out).not.toContain('"error"');
      if (line.includes('"stream":true')) {
        expect(out).toContain('from the fake');
        expect(out.trimEnd()).toEndWith('data: [DONE]');
      } else {
        expect(Object.keys(JSON.parse(out) as object).length).toBeGreaterThan(0);
      }
    }
  });

  test('the TypeScript SDK block runs with bun and prints the answers', async () => {
    const ts = BLOCKS.find((b) => b.lang === 'ts')!;
    expect(ts.code).toContain("baseURL: 'http://localhost:8080/v1'");
    // Where the README says to save it: next to the checkout's node_modules (here a link to them).
    symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));
    writeFileSync(join(scratch, 'hello.ts'), ts.code.replaceAll('http://localhost:8080', gw.url));
    const { code, out, err } = await run([join(ROOT, 'node_modules', '.bin', 'bun'), 'hello.ts'], scratch);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('openai/gpt-4o-mini');
    expect(out).toContain('Hello from the fake');
    expect(out).toContain('Hi from the fake');
  });
});
