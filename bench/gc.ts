/**
 * What the collector makes of one gateway's streams: N streamed chats driven in-process through
 * `app.handle` (no HTTP server, so nothing but the gateway and its provider calls in the process), 32 at a
 * time, against the mock upstream in a process of its own. Prints the CPU per chat and, from JSC's own GC
 * log, the young and full collections, their time in all, and what the young ones promoted per chat
 * (the growth of the heap over each young collection: objects still reachable then, from old objects
 * too). One gateway per process: a second app in the same heap would change what the collector sees.
 *   bun run bench/gc.ts [--chats=4000] [--model=openai/gpt-4o-mini] [--entry-dir=.] [NAME=VALUE ...]
 * e.g. `bun run bench/gc.ts --model=fast ROUTING_CONFIG_PATH=bench/.work/routing-overhead.yaml`; a
 * copy of the tree to compare: `--entry-dir=bench/.work/x` (its src/ is loaded).
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { BUN, killAll, ROOT, startService } from './targets.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const chats = Number(flag('chats', '4000'));
const model = flag('model', 'openai/gpt-4o-mini');
const dir = resolve(flag('entry-dir', ROOT));
const settings = Object.fromEntries(argv.filter((a) => !a.startsWith('--') && a.includes('=')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

if (process.env.GC_CHILD === undefined) {
  // The parent: the mock on CPU 0, the measured gateway (this script again) on CPU 1, with the GC log on.
  process.on('exit', killAll);
  const pinned = Bun.which('taskset') !== null && availableParallelism() >= 2;
  const mock = await startService<{ port: number }>([...(pinned ? ['taskset', '-c', '0'] : []), BUN, 'run', join(ROOT, 'bench', 'mock-upstream.ts'), '--port=0'], 'mock-gc');
  const mockPort = mock.info.port;
  const child = Bun.spawn([...(pinned ? ['taskset', '-c', '1'] : []), BUN, 'run', import.meta.path, ...argv], {
    env: { ...process.env, GC_CHILD: String(mockPort), BUN_JSC_logGC: '1' },
    stdout: 'ignore',
    stderr: 'pipe',
  });
  const log = await new Response(child.stderr).text();
  if ((await child.exited) !== 0) throw new Error(`the measured gateway failed:\n${log.slice(-2000)}`);
  // Each collection logs `START M <kb> => EdenCollection|FullCollection` and, when done, `=> <kb>, … cycle <ms>ms END`.
  let kind = '';
  let last: number | undefined;
  let promotedKb = 0;
  let young = 0;
  let full = 0;
  let ms = 0;
  for (const line of log.split('\n')) {
    const start = /START M \d+kb => (\w+)Collection/.exec(line);
    if (start) kind = start[1] ?? '';
    const end = /=> (\d+)kb, p=[0-9.]+ms \(max [0-9.]+\), cycle ([0-9.]+)ms END/.exec(line);
    if (!end) continue;
    const after = Number(end[1]);
    ms += Number(end[2]);
    // What a young collection left over the heap after the one before: what it promoted, dead or alive.
    if (kind === 'Eden') {
      young++;
      if (last !== undefined && after > last) promotedKb += after - last;
    } else full++;
    last = after;
  }
  const result = log.split('\n').find((l) => l.startsWith('result '));
  console.log(
    `${result?.slice('result '.length) ?? '(no result)'}; collections ${young} young and ${full} full, ${ms.toFixed(1)} ms in all; promoted by young collections ${((promotedKb * 1024) / chats / 1024).toFixed(1)} KB per chat`,
  );
  killAll();
  process.exit(0);
}

const { loadConfig } = (await import(join(dir, 'src', 'config.ts'))) as typeof import('../src/config.ts');
const { createApp } = (await import(join(dir, 'src', 'app.ts'))) as typeof import('../src/app.ts');
const env = { OPENAI_API_URL: `http://127.0.0.1:${process.env.GC_CHILD}/v1`, OPENAI_API_KEY: 'sk-bench-not-a-real-key', CLIENT_MAX_IDLE_CONNS_PER_HOST: '128', CLIENT_MAX_IDLE_CONNS: '128', ...settings };
const app = createApp(loadConfig(env));
const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 64, stream: true });
let left = chats;
const started = process.cpuUsage();
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (left-- > 0) {
      const res = await app.handle(new Request('http://localhost/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      const text = await res.text();
      // A chat that did not stream to its end would make the figures mean nothing.
      if (res.status !== 200 || !text.endsWith('data: [DONE]\n\n')) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
  }),
);
const cpu = process.cpuUsage(started);
console.error(`result ${chats} streamed chats: ${((cpu.user + cpu.system) / chats).toFixed(1)} µs of CPU each`);
process.exit(0);
