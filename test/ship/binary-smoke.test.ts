import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Subprocess } from 'bun';
import { BINARY, ensureBinary, freePort, waitForOk } from '../helpers/binary.ts';
import { chatChunks, chatCompletion, fakeProvider, sseData, sseResponse } from '../helpers/fake-provider.ts';
import pkg from '../../package.json' with { type: 'json' };

const ROOT = `${import.meta.dir}/../..`;

const fake = fakeProvider({
  'GET /models': () => Response.json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' }] }),
  'POST /chat/completions': (_req, rec) => (JSON.parse(rec.body).stream ? sseResponse(chatChunks(['bin', 'ary'])) : Response.json(chatCompletion('from the binary'))),
});
const port = freePort();
const base = `http://127.0.0.1:${port}`;
let proc: Subprocess | undefined;

beforeAll(async () => {
  await ensureBinary();
  proc = Bun.spawn([BINARY], {
    // Only what the binary needs: no Bun, no node_modules, no project files on its path.
    env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-bin', OLLAMA_API_URL: 'http://127.0.0.1:9/v1', PATH: '/usr/bin:/bin' },
    cwd: '/',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  await waitForOk(`${base}/health`);
}, 60_000);
afterAll(async () => {
  proc?.kill('SIGTERM');
  await proc?.exited;
  await fake.stop();
});

describe('the compiled binary on its own', () => {
  test('--version: package.json\'s version and the commit the binary was built from; --help', async () => {
    const version = Bun.spawnSync([BINARY, '--version'], { cwd: '/' }).stdout.toString().trim();
    const stamped = /^(\d+\.\d+\.\d+\S*)(?: \(commit ([0-9a-f]{7,40})(-dirty)?\))?$/.exec(version);
    expect(stamped?.[1]).toBe(pkg.version);
    // Built from a git checkout (as here and in CI), the commit is stamped and is one of this repository's.
    const inRepo = Bun.spawnSync(['git', 'rev-parse', '--git-dir'], { cwd: ROOT }).exitCode === 0;
    if (inRepo) expect(Bun.spawnSync(['git', 'cat-file', '-e', `${stamped?.[2]}^{commit}`], { cwd: ROOT }).exitCode).toBe(0);
    const help = Bun.spawnSync([BINARY, '--help'], { cwd: '/' }).stdout.toString();
    for (const name of ['SERVER_PORT', 'OPENAI_API_KEY', 'MCP_SERVERS', 'CLIENT_TIMEOUT']) expect(help).toContain(name);
    expect(help).toContain('(default: 30s)');
  });

  test('serves health, models and chats (plain and streamed) against a fake provider', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ message: 'OK' });
    const models = (await (await fetch(`${base}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['openai/gpt-4o']);
    const chat = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('from the binary');
    const stream = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect((await sseData(stream)).at(-1)).toBe('[DONE]');
  });

  test('healthcheck exits 0 against the running server and 1 when nothing listens', () => {
    const ok = Bun.spawnSync([BINARY, 'healthcheck'], { env: { SERVER_PORT: String(port) }, cwd: '/' });
    expect(ok.exitCode).toBe(0);
    const down = Bun.spawnSync([BINARY, 'healthcheck'], { env: { SERVER_PORT: String(freePort()) }, cwd: '/' });
    expect(down.exitCode).toBe(1);
  });

  test('a port already in use stops start-up with exit 1 (no silent sharing of the port)', () => {
    const second = Bun.spawnSync([BINARY], { env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port) }, cwd: '/', timeout: 10_000 });
    expect(second.exitCode).toBe(1);
    expect(second.stderr.toString()).toStartWith('cannot start: ');
  });

  test('bad settings stop start-up with every problem listed', () => {
    const bad = Bun.spawnSync([BINARY], { env: { SERVER_PORT: 'eighty', CLIENT_TIMEOUT: 'forever' }, cwd: '/' });
    expect(bad.exitCode).toBe(2);
    const err = bad.stderr.toString();
    expect(err).toContain('SERVER_PORT');
    expect(err).toContain('CLIENT_TIMEOUT');
  });
});
