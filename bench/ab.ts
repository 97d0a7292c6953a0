/**
 * A/B of gateway variants on a shared machine: each variant (an entry file, plus optional settings) is
 * started fresh and loaded in turn, round after round, and compared on its own CPU time per request,
 * which other work on the machine disturbs far less than requests/s.
 *   bun run bench/ab.ts [--rounds=4] [--seconds=4] [--stream] [--paired|--together] A.ts B.ts [...] (or NAME=VALUE,...@entry.ts)
 * An argument `LOG_LEVEL=warn@src/main.ts` runs src/main.ts with LOG_LEVEL=warn; an entry that is not a
 * .ts file is run as a compiled gateway. `MODEL=<name>` in a variant's list is not passed on as a setting:
 * that variant's requests ask for exactly that model (e.g. a routing alias `fast`) instead of
 * `openai/gpt-4o-mini`. --json=FILE writes every turn's figures (CPU µs/req, req/s, failures) as JSON.
 * --paired: every variant is started once and they take turns of --seconds (1 s is enough) under load,
 * and each turn is compared with the first variant's turn just before it. This machine's speed moves in
 * steps of up to ±30% from one second to the next (other VMs on the host); the median of those per-turn
 * ratios still separates variants ~2–3% apart, where fresh starts per round could not.
 * --together: as --paired, but in each turn every variant is loaded at once, all on the same core, and
 * compared with the first variant's figures from that same turn. The machine's steps then fall on all
 * of them alike: a turn's A/A ratio stays within ±4% (±20% for --paired), so the median over 30 turns
 * separates variants ~1% apart.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pickTool, runLoad } from './load.ts';
import { median } from './report.ts';
import { chatBody } from './scenarios.ts';
import { BUN, cpuTimeMs, killAll, memoryOf, ROOT, spawnTracked, startTarget, type RunningTarget } from './targets.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rounds = opt('rounds', 4);
const seconds = opt('seconds', 4);
const stream = argv.includes('--stream');
const together = argv.includes('--together');
const paired = together || argv.includes('--paired');
const jsonOut = argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
const variants = argv.filter((a) => !a.startsWith('--'));
if (variants.length === 0) throw new Error('usage: bun run bench/ab.ts [--rounds=N] [--seconds=S] [--stream] [--paired] entry.ts [NAME=V@entry.ts ...]');

function parseVariant(v: string): { entry: string; env: Record<string, string>; model?: string } {
  const at = v.lastIndexOf('@');
  if (at < 0) return { entry: v, env: {} };
  const env = Object.fromEntries(
    v
      .slice(0, at)
      .split(',')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  // MODEL is read here, not passed on: the model this variant's requests ask for, as sent.
  const model = env.MODEL;
  delete env.MODEL;
  return { entry: v.slice(at + 1), env, ...(model === undefined ? {} : { model }) };
}

// As in run.ts: the provider pool sized for the load, or connections churn and swamp what is compared.
const POOL_ENV = { CLIENT_MAX_IDLE_CONNS_PER_HOST: '128', CLIENT_MAX_IDLE_CONNS: '128' };

process.on('exit', killAll);
const pinned = Bun.which('taskset') !== null && availableParallelism() >= 2;
if (pinned) Bun.spawnSync(['taskset', '-a', '-p', '-c', '0', String(process.pid)], { stdout: 'ignore' });
const loadPin = pinned ? ['taskset', '-c', '0'] : [];
const targetPin = pinned ? ['taskset', '-c', '1'] : [];
const tool = await pickTool({ install: false });

const mockProc = spawnTracked([...loadPin, BUN, 'run', join(ROOT, 'bench', 'mock-upstream.ts'), '--port=0'], { PATH: process.env.PATH }, 'mock-ab', 'pipe');
if (!(mockProc.stdout instanceof ReadableStream)) throw new Error('mock has no stdout');
const first = await mockProc.stdout.getReader().read();
const mockPort = (JSON.parse(new TextDecoder().decode(first.value).split('\n')[0] ?? '{}') as { port: number }).port;

const cpu: number[][] = variants.map(() => []);
const rps: number[][] = variants.map(() => []);
const peak: number[][] = variants.map(() => []);
const failed: number[][] = variants.map(() => []);
/** The model a variant's requests name exactly (MODEL=...), when it sets one. */
const modelOf = new Map<RunningTarget, string>();

function startVariant(v: string) {
  const { entry, env } = parseVariant(v);
  // A .ts entry runs from source; anything else is taken for a compiled gateway.
  const kind = entry.endsWith('.ts') ? 'source' : 'binary';
  return startTarget(kind, { mockPort, pin: targetPin, entry, binary: entry, env: { ...POOL_ENV, ...env } }).then((t) => {
    const model = parseVariant(v).model;
    if (model !== undefined) modelOf.set(t, model);
    return t;
  });
}

function loadSpec(t: RunningTarget, durationSec: number) {
  return { port: t.port, method: 'POST' as const, path: '/v1/chat/completions', headers: t.headers, body: chatBody(modelOf.has(t) ? { ...t, model: () => modelOf.get(t) ?? '' } : t, 'gpt-4o-mini', stream), connections: 64, durationSec };
}

const warm = (t: RunningTarget) => runLoad(tool, loadSpec(t, 1), loadPin);

/** One measured load of variant `i`. */
async function turn(i: number, t: RunningTarget): Promise<void> {
  const before = cpuTimeMs(t.pid);
  const r = await runLoad(tool, loadSpec(t, seconds), loadPin);
  record(i, t, r, cpuTimeMs(t.pid) - before);
}

/** One turn of every variant under load at once, on the same core. */
async function turnTogether(targets: RunningTarget[]): Promise<void> {
  const before = targets.map((t) => cpuTimeMs(t.pid));
  const results = await Promise.all(targets.map((t) => runLoad(tool, loadSpec(t, seconds), loadPin)));
  results.forEach((r, i) => {
    const t = targets[i] as RunningTarget;
    record(i, t, r, cpuTimeMs(t.pid) - (before[i] as number));
  });
}

function record(i: number, t: RunningTarget, r: Awaited<ReturnType<typeof runLoad>>, used: number): void {
  if (r.errors + r.non2xx > 0) process.stderr.write(`${variants[i]}: ${r.errors} errors, ${r.non2xx} non-2xx\n`);
  cpu[i]?.push((used * 1000) / Math.max(1, r.requests));
  rps[i]?.push(r.rps);
  peak[i]?.push(memoryOf(t.pid).peakMb);
  failed[i]?.push(r.errors + r.non2xx);
  process.stderr.write(`${variants[i]}: ${Math.round(r.rps)} req/s, ${((used * 1000) / r.requests).toFixed(1)} µs CPU/req\n`);
}

if (paired) {
  const targets: RunningTarget[] = [];
  for (const v of variants) targets.push(await startVariant(v));
  for (const t of targets) await warm(t);
  for (let round = 0; round < rounds; round++) {
    if (together) await turnTogether(targets);
    else for (const [i, t] of targets.entries()) await turn(i, t);
  }
  await Promise.all(targets.map((t) => t.stop()));
} else {
  for (let round = 0; round < rounds; round++) {
    for (const [i, v] of variants.entries()) {
      const t = await startVariant(v);
      try {
        await warm(t);
        await turn(i, t);
      } finally {
        await t.stop();
      }
    }
  }
}
console.log(`\n| variant | CPU µs/req min | CPU µs/req median | CPU vs the first, per turn (median) | req/s max | req/s median | peak RSS median |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
variants.forEach((v, i) => {
  const c = cpu[i] ?? [];
  const r = rps[i] ?? [];
  const vsFirst = median(c.map((x, k) => x / (cpu[0]?.[k] ?? Number.NaN)));
  console.log(`| ${v} | ${Math.min(...c).toFixed(1)} | ${median(c).toFixed(1)} | ${vsFirst.toFixed(3)} | ${Math.round(Math.max(...r))} | ${Math.round(median(r))} | ${median(peak[i] ?? []).toFixed(1)} MB |`);
});
if (jsonOut) await Bun.write(jsonOut, JSON.stringify({ variants, stream, paired, rounds, seconds, cpuUs: cpu, rps, peakMb: peak, failed }, null, 1));
killAll();
