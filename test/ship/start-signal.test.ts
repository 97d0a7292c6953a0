/**
 * `npm start` is how the README runs the gateway, and `kill -TERM <npm's pid>` is how a supervisor
 * stops it: the signal must reach the gateway, so its drain runs and no Bun is left listening.
 */
import { afterAll, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { freePort, waitForOk } from '../helpers/binary.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';

const ROOT = `${import.meta.dir}/../..`;

// Answers after ~1 s, so the chat is still in flight when the signal comes.
const fake = fakeProvider({
  'POST /chat/completions': async () => {
    await Bun.sleep(1000);
    return Response.json(chatCompletion('slow answer'));
  },
});
afterAll(() => fake.stop());

/** Every live descendant of `pid`, read from /proc (parent pid is field 4 of /proc/<pid>/stat). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) if (ppid === parent) found.push(child), queue.push(child);
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM to the npm start process drains the gateway: the in-flight chat completes, nothing is left listening', async () => {
  const port = freePort();
  const npm = Bun.spawn(['npm', 'start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SERVER_PORT: String(port),
      SERVER_HOST: '127.0.0.1',
      OLLAMA_API_URL: 'http://127.0.0.1:9/v1',
      OPENAI_API_URL: fake.url,
      OPENAI_API_KEY: 'sk-test',
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const out = new Response(npm.stdout).text();
  const tree: number[] = [];
  try {
    await waitForOk(`http://127.0.0.1:${port}/health`, 20_000);
    tree.push(...descendants(npm.pid));
    expect(tree.length).toBeGreaterThan(0);

    const chat = fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    // Let the request reach the provider before the signal.
    for (let i = 0; i < 100 && fake.received.length === 0; i++) await Bun.sleep(10);
    expect(fake.received.length).toBe(1);
    npm.kill('SIGTERM');

    const res = await chat;
    expect(res.status).toBe(200);
    expect(((await res.json()) as ReturnType<typeof chatCompletion>).choices[0]!.message.content).toBe('slow answer');

    const code = await Promise.race([npm.exited, Bun.sleep(10_000).then(() => 'timeout' as const)]);
    expect(code).toBe(0);
    expect(await listening(port)).toBe(false);
    expect(tree.filter(alive)).toEqual([]);
    expect(await out).toContain('"stopped"');
  } finally {
    for (const pid of [...tree, npm.pid]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}, 40_000);
