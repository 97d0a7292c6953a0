/**
 * What routing and limits cost (issues 18, 20, 21), written into bench/RESULTS.md between the
 * `<!-- overhead:start -->` / `<!-- overhead:end -->` markers:
 *   1. routing on a healthy alias: the gateway from source without a routing file vs the same with
 *      ROUTING_CONFIG_PATH (alias `fast` → one deployment openai/gpt-4o-mini) and requests for `fast`;
 *      also plain `openai/gpt-4o-mini` requests with routing on (a one-deployment route) vs off, and an
 *      alias over streams at a model's pace (22 reads 2 ms apart) vs the same model without routing, and
 *      an A/A pair (the gateway against itself) for the noise of one paired run.
 *   2. the limits check in memory: LIMITS_CONFIG_PATH (one per-caller rule, too high to refuse) vs none.
 *   1 and 2 are paired A/Bs run side by side (bench/ab.ts --together: both gateways on one core, loaded
 *   at once, turn after turn), non-stream and streamed, twice each; the figure is 1 − the median over
 *   turns of (variant's req/s ÷ the baseline's in the same turn).
 *   3. the Redis-backed check at one connection: 400 sequential non-stream chats on one keep-alive
 *      connection (bench/probe.ts) against the gateway without limits, with limits in memory, and with
 *      limits over a real redis-server on loopback, each started fresh and warmed, interleaved round
 *      after round; medians over rounds of p50 and p99, and of the per-round differences.
 *
 *   bun run bench/overhead.ts [--smoke] [--rounds=14] [--seconds=2] [--runs=2] [--probe-rounds=5]
 *     [--samples=400] [--only=routing,limits,redis] [--out=FILE]
 * --smoke: ~20 s, one short pass of each (non-stream only), written to bench/.work/RESULTS.overhead.smoke.md.
 * Loopback only; every load is bounded in time; every process started here is killed at the end.
 */
import { availableParallelism, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickTool, runLoad } from './load.ts';
import { HttpProbe, type ProbeResult } from './probe.ts';
import { median } from './report.ts';
import { readIfExists, withSection } from './results-section.ts';
import { chatBody, quantile } from './scenarios.ts';
import { BUN, freePort, killAll, ROOT, spawnTracked, startService, startTarget, WORK, type RunningTarget } from './targets.ts';

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const opt = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const str = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = opt('rounds', smoke ? 2 : 14);
const seconds = opt('seconds', smoke ? 1 : 2);
const runs = opt('runs', smoke ? 1 : 2);
const probeRounds = opt('probe-rounds', smoke ? 1 : 5);
const samples = opt('samples', smoke ? 100 : 400);
const only = new Set((str('only') ?? 'routing,limits,redis').split(','));
const out = str('out') ?? (smoke ? join(WORK, 'RESULTS.overhead.smoke.md') : join(ROOT, 'bench', 'RESULTS.md'));
const GOAL_THROUGHPUT = 0.05;
const GOAL_REDIS_MS = 0.3;

process.on('exit', killAll);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
const began = performance.now();
const startedAt = new Date();
const loadAtStart = loadavg()[0] ?? Number.NaN;
// What was measured: src/ changes while others work, so the commit (and whether src/ differed from it).
const git = (args: string[]) => Bun.spawnSync(['git', ...args], { cwd: ROOT }).stdout.toString().trim();
const srcState = () => `${git(['rev-parse', '--short', 'HEAD']) || '?'}${git(['status', '--porcelain', '--', 'src']) ? ' + uncommitted changes in src/' : ''}`;
const srcAt = srcState();
// The gateways run the working tree: a fingerprint of HEAD and src/'s uncommitted changes, at the start and the end.
const srcPrint = () => String(Bun.hash(`${git(['rev-parse', 'HEAD'])}\n${git(['diff', 'HEAD', '--', 'src'])}\n${git(['status', '--porcelain', '--', 'src'])}`));
const srcPrintAtStart = srcPrint();
const log = (s: string) => process.stderr.write(`overhead: ${s}\n`);

// The files the variants read (bench/.work is git-ignored scratch space).
mkdirSync(WORK, { recursive: true });
const ROUTING_FILE = join(WORK, 'routing-overhead.yaml');
const ROUTING_PACED_FILE = join(WORK, 'routing-paced.yaml');
const LIMITS_FILE = join(WORK, 'limits.yaml');
const LIMITS_REQUESTS_FILE = join(WORK, 'limits-requests.yaml');
writeFileSync(
  ROUTING_FILE,
  `# bench/overhead.ts: one healthy alias over the mock's model
models:
  fast:
    deployments:
      - provider: openai
        model: gpt-4o-mini
`,
);
// The mock streams a `*-paced` model's 22 events 2 ms apart: one read each, as a real model's stream comes.
writeFileSync(
  ROUTING_PACED_FILE,
  `# bench/overhead.ts: one healthy alias over the mock's paced model
models:
  slow:
    deployments:
      - provider: openai
        model: gpt-4o-mini-paced
`,
);
writeFileSync(
  LIMITS_FILE,
  `# bench/overhead.ts: one rule every request is checked and charged against, too high ever to refuse
rules:
  - name: bench
    per: caller
    requests_per_minute: 100000000
    tokens_per_minute: 100000000000
`,
);
// The same rule without a token limit: the gateway then needs neither model nor tokens, and reads no copy of the body.
writeFileSync(
  LIMITS_REQUESTS_FILE,
  `# bench/overhead.ts: requests only (no token window: the body is not read for the limits)
rules:
  - name: bench
    per: caller
    requests_per_minute: 100000000
`,
);

// ---------------------------------------------------------------------------------------------------
// 1 and 2: paired A/Bs through bench/ab.ts

interface AbCase {
  goal: 'routing' | 'limits';
  label: string;
  stream: boolean;
  /** The first is the baseline. */
  variants: string[];
  names: string[];
  /** The goal each variant after the first is judged on (none: shown only). */
  goals: ('routing' | 'limits' | undefined)[];
}
interface AbRun {
  c: AbCase;
  run: number;
  /** Per variant after the first: 1 − median of per-turn req/s ratios; median per-turn CPU ratio − 1. */
  vs: { throughputCost: number; cpuAdded: number; rpsMedian: number; cpuUsMedian: number }[];
  base: { rpsMedian: number; cpuUsMedian: number };
  failures: number;
  error?: string;
}

const BASE = 'src/main.ts';
const ALIAS = `MODEL=fast,ROUTING_CONFIG_PATH=${ROUTING_FILE}@src/main.ts`;
const PLAIN_ROUTED = `ROUTING_CONFIG_PATH=${ROUTING_FILE}@src/main.ts`;
// The same gateway as BASE (LOG_LEVEL=info is the default): a pair that differs in nothing, so its figure is the noise.
const BASE_AGAIN = 'LOG_LEVEL=info@src/main.ts';
const BASE_PACED = 'MODEL=openai/gpt-4o-mini-paced@src/main.ts';
const ALIAS_PACED = `MODEL=slow,ROUTING_CONFIG_PATH=${ROUTING_PACED_FILE}@src/main.ts`;
const LIMITS = `LIMITS_CONFIG_PATH=${LIMITS_FILE}@src/main.ts`;
const LIMITS_REQUESTS = `LIMITS_CONFIG_PATH=${LIMITS_REQUESTS_FILE}@src/main.ts`;

function abCases(): AbCase[] {
  if (smoke) {
    const variants = [BASE];
    const names = ['none'];
    const goals: AbCase['goals'] = [];
    if (only.has('routing')) variants.push(ALIAS), names.push('routing, alias'), goals.push('routing');
    if (only.has('limits')) variants.push(LIMITS), names.push('limits in memory'), goals.push('limits');
    return variants.length > 1 ? [{ goal: goals[0] ?? 'routing', label: 'smoke: all variants in one paired run', stream: false, variants, names, goals }] : [];
  }
  const cases: AbCase[] = [];
  for (const stream of [false, true]) {
    if (only.has('routing')) {
      cases.push({ goal: 'routing', label: `alias \`fast\` vs no routing file, ${stream ? 'streamed' : 'non-stream'}`, stream, variants: [BASE, ALIAS], names: ['no routing', 'alias'], goals: ['routing'] });
    }
    if (only.has('limits')) {
      cases.push({ goal: 'limits', label: `limits in memory vs none, ${stream ? 'streamed' : 'non-stream'}`, stream, variants: [BASE, LIMITS], names: ['no limits', 'limits'], goals: ['limits'] });
    }
  }
  return cases;
}

/**
 * Shown, not judged, once each way after the goal's runs: plain provider/model requests with routing on
 * vs off, and where the limits' cost lies (a requests-only file reads no copy of the body).
 */
function extraCases(): AbCase[] {
  if (smoke) return [];
  const cases: AbCase[] = [];
  if (only.has('routing')) {
    cases.push(...plainCases());
    // What a 5% line is judged against: one run of the gateway against itself moves this much.
    cases.push({ goal: 'routing', label: 'A/A: the gateway against itself, streamed (the noise of one run)', stream: true, variants: [BASE, BASE_AGAIN], names: ['gateway', 'the same gateway'], goals: [undefined] });
    // Routing's cost is per request: the same alias over streams that come in 22 reads, as a model's do.
    cases.push({
      goal: 'routing',
      label: 'alias `slow` vs no routing file, streamed at a model\'s pace (22 reads 2 ms apart)',
      stream: true,
      variants: [BASE_PACED, ALIAS_PACED],
      names: ['no routing', 'alias, paced'],
      goals: [undefined],
    });
  }
  if (only.has('limits')) {
    for (const stream of [false, true]) {
      cases.push({
        goal: 'limits',
        label: `limits: requests and tokens vs requests only vs none, ${stream ? 'streamed' : 'non-stream'}`,
        stream,
        variants: [BASE, LIMITS, LIMITS_REQUESTS],
        names: ['no limits', 'requests and tokens (body read)', 'requests only (body not read)'],
        goals: [undefined, undefined],
      });
    }
  }
  return cases;
}

function plainCases(): AbCase[] {
  return [false, true].map((stream) => ({
    goal: 'routing' as const,
    label: `plain \`openai/gpt-4o-mini\`, routing file vs none, ${stream ? 'streamed' : 'non-stream'}`,
    stream,
    variants: [BASE, PLAIN_ROUTED],
    names: ['no routing', 'routing, plain model'],
    goals: [undefined],
  }));
}

async function runAb(c: AbCase, run: number): Promise<AbRun> {
  // Kept after the run (bench/.work is scratch space): every turn's figures, for a second look.
  const kind = c.variants.length > 2 ? 'all' : c.variants[1] === ALIAS_PACED ? 'paced' : c.variants[1] === BASE_AGAIN ? 'aa' : c.goals[0] === undefined ? 'plain' : 'goal';
  const json = join(WORK, `overhead-ab-${c.goal}-${c.stream ? 'stream' : 'chat'}-${kind}-${run}.json`);
  const cmd = [BUN, 'run', join(ROOT, 'bench', 'ab.ts'), '--together', `--rounds=${rounds}`, `--seconds=${seconds}`, ...(c.stream ? ['--stream'] : []), `--json=${json}`, ...c.variants];
  log(`${c.label}, run ${run}: ${cmd.slice(2).join(' ')}`);
  const proc = spawnTracked(cmd, { PATH: process.env.PATH, HOME: process.env.HOME }, 'overhead-ab');
  // Bounded: each turn is `seconds` of load plus the load generator's start; starts and warm-ups on top.
  const deadline = (rounds * c.variants.length * (seconds + 4) + 120) * 1000;
  const timer = setTimeout(() => proc.kill('SIGKILL'), deadline);
  const code = await proc.exited;
  clearTimeout(timer);
  const empty = { c, run, vs: [], base: { rpsMedian: Number.NaN, cpuUsMedian: Number.NaN }, failures: 0 };
  if (code !== 0) return { ...empty, error: `ab.ts exited with ${code} (bench/.work/overhead-ab.stderr.log)` };
  const data = JSON.parse(await Bun.file(json).text()) as { cpuUs: number[][]; rps: number[][]; failed: number[][] };
  const cpu0 = data.cpuUs[0] ?? [];
  const rps0 = data.rps[0] ?? [];
  const vs = c.variants.slice(1).map((_, j) => {
    const cpu = data.cpuUs[j + 1] ?? [];
    const rps = data.rps[j + 1] ?? [];
    return {
      throughputCost: 1 - median(rps.map((x, k) => x / (rps0[k] ?? Number.NaN))),
      cpuAdded: median(cpu.map((x, k) => x / (cpu0[k] ?? Number.NaN))) - 1,
      rpsMedian: median(rps),
      cpuUsMedian: median(cpu),
    };
  });
  const failures = data.failed.flat().reduce((a, b) => a + b, 0);
  const r: AbRun = { c, run, vs, base: { rpsMedian: median(rps0), cpuUsMedian: median(cpu0) }, failures };
  for (const [j, v] of vs.entries()) {
    log(`  ${c.names[j + 1]}: throughput ${signedPct(-v.throughputCost)}, CPU ${signedPct(v.cpuAdded)} (${Math.round(v.rpsMedian)} vs ${Math.round(r.base.rpsMedian)} req/s), failures ${failures}`);
  }
  return r;
}

const signedPct = (x: number) => `${x >= 0 ? '+' : '−'}${(Math.abs(x) * 100).toFixed(1)}%`;
const ms = (x: number) => x.toFixed(3);
const signedMs = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

// ---------------------------------------------------------------------------------------------------
// 3: one connection, none vs limits in memory vs limits over Redis

const pinned = Bun.which('taskset') !== null && availableParallelism() >= 2;
if (pinned) Bun.spawnSync(['taskset', '-a', '-p', '-c', '0', String(process.pid)], { stdout: 'ignore' });
const loadPin = pinned ? ['taskset', '-c', '0'] : [];
const targetPin = pinned ? ['taskset', '-c', '1'] : [];
const POOL_ENV = { CLIENT_MAX_IDLE_CONNS_PER_HOST: '128', CLIENT_MAX_IDLE_CONNS: '128' };

/** Waits until something on loopback `port` answers a Redis PING. */
async function redisUp(port: number, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (v: boolean) => {
        if (!done) (done = true), resolve(v);
      };
      Bun.connect({
        hostname: '127.0.0.1',
        port,
        socket: {
          open: (s) => void s.write('PING\r\n'),
          data: (s, d) => {
            finish(d.toString().startsWith('+PONG'));
            s.end();
          },
          error: () => finish(false),
          close: () => finish(false),
          connectError: () => finish(false),
        },
      }).catch(() => finish(false));
      setTimeout(() => finish(false), 500);
    });
    if (ok) return true;
    await Bun.sleep(20);
  }
  return false;
}

interface ProbeVariant {
  name: string;
  env: Record<string, string>;
  /** What GET /v1/limits must say of the store, or undefined for no limits (404 then). */
  store?: string;
  /** Whether every measured chat must reach Redis. */
  redis?: boolean;
}
interface ProbeRound {
  round: number;
  p50: number[];
  p99: number[];
}

async function limitsStore(t: RunningTarget): Promise<{ status: number; store?: string; used?: number }> {
  const res = await fetch(`http://127.0.0.1:${t.port}/v1/limits`);
  const text = await res.text();
  if (res.status !== 200) return { status: res.status };
  const body = JSON.parse(text) as { store?: string; rules?: { windows?: { window: string; used: number }[] }[] };
  const used = body.rules?.[0]?.windows?.find((w) => w.window === 'requests_per_minute')?.used;
  return { status: 200, ...(body.store === undefined ? {} : { store: body.store }), ...(used === undefined ? {} : { used }) };
}

async function sequential(probe: HttpProbe, t: RunningTarget, body: string, n: number): Promise<ProbeResult[]> {
  const outs: ProbeResult[] = [];
  for (let i = 0; i < n; i++) {
    const r = await probe.request('POST', '/v1/chat/completions', t.headers, body);
    if (r.status !== 200) throw new Error(`one-connection chat answered ${r.status}: ${r.body.slice(0, 200)}`);
    outs.push(r);
  }
  return outs;
}

async function runProbes(): Promise<{ variants: ProbeVariant[]; rounds: ProbeRound[]; checks: string[]; redisVersion: string } | { error: string }> {
  const redisBin = Bun.which('redis-server');
  if (!redisBin) return { error: 'redis-server not found (apt-get install redis-server)' };
  const redisVersion = Bun.spawnSync([redisBin, '--version']).stdout.toString().trim().split(' ').slice(0, 3).join(' ');
  const redisPort = freePort();
  // Redis with the mock and the probe on the load CPU: the gateway's CPU is the one measured.
  spawnTracked([...loadPin, redisBin, '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { PATH: process.env.PATH }, 'overhead-redis');
  if (!(await redisUp(redisPort, 10_000))) return { error: `redis-server did not answer on 127.0.0.1:${redisPort} (bench/.work/overhead-redis.stderr.log)` };
  const mock = await startService<{ port: number }>([...loadPin, BUN, 'run', join(ROOT, 'bench', 'mock-upstream.ts'), '--port=0'], 'overhead-mock');
  const tool = smoke ? undefined : await pickTool({ install: false });
  const variants: ProbeVariant[] = [
    { name: 'no limits', env: {} },
    { name: 'limits in memory', env: { LIMITS_CONFIG_PATH: LIMITS_FILE }, store: 'ok' },
    { name: 'limits over Redis', env: { LIMITS_CONFIG_PATH: LIMITS_FILE, REDIS_URL: `redis://127.0.0.1:${redisPort}/0` }, store: 'ok', redis: true },
  ];
  const results: ProbeRound[] = [];
  const checks: string[] = [];
  const redis = new Bun.RedisClient(`redis://127.0.0.1:${redisPort}/0`);
  const redisCommands = async () => Number(/total_commands_processed:(\d+)/.exec(String(await redis.send('INFO', ['stats'])))?.[1] ?? Number.NaN);
  for (let round = 1; round <= probeRounds; round++) {
    const row: ProbeRound = { round, p50: [], p99: [] };
    for (const v of variants) {
      // Every variant starts with no counts, as the in-memory one does (Redis keeps them across rounds).
      if (v.redis === true) await redis.send('FLUSHDB', []);
      const t = await startTarget('source', { mockPort: mock.info.port, pin: targetPin, env: { ...POOL_ENV, ...v.env } });
      try {
        const body = chatBody(t, 'gpt-4o-mini', false);
        // Limits over Redis: wait until the gateway has connected (until then it follows the fail mode).
        if (v.store === 'ok') {
          for (let i = 0; i < 100 && (await limitsStore(t)).store !== 'ok'; i++) await Bun.sleep(20);
        }
        const probe = await HttpProbe.open(t.port);
        try {
          // Warm: a first pass on the connection, a short load (JIT, provider pool), another pass.
          await sequential(probe, t, body, Math.min(200, samples));
          if (tool) await runLoad(tool, { port: t.port, method: 'POST', path: '/v1/chat/completions', headers: t.headers, body, connections: 16, durationSec: 1 }, loadPin);
          await sequential(probe, t, body, Math.min(200, samples));
          const before = await limitsStore(t);
          const commandsBefore = await redisCommands();
          const measured = await sequential(probe, t, body, samples);
          const commandsAfter = await redisCommands();
          const after = await limitsStore(t);
          const reached = commandsAfter - commandsBefore - 1;
          if (v.redis === true && !(reached >= samples)) checks.push(`round ${round}, ${v.name}: Redis saw ${reached} commands over ${samples} chats`);
          if (v.redis !== true && reached > 0) checks.push(`round ${round}, ${v.name}: Redis saw ${reached} commands (expected none)`);
          // The check really ran where it should: the right store, and every measured chat counted.
          if (v.store === undefined) {
            if (after.status !== 404) checks.push(`round ${round}, ${v.name}: GET /v1/limits answered ${after.status} (expected 404: no limits)`);
          } else if (after.store !== v.store || before.used === undefined || after.used === undefined || after.used - before.used < 0.9 * samples) {
            // used is the sliding count: the previous minute's share shrinks while we measure, hence 90%.
            checks.push(`round ${round}, ${v.name}: store ${after.store ?? '?'}, requests counted ${before.used ?? '?'} → ${after.used ?? '?'} over ${samples} chats`);
          }
          const times = measured.map((r) => r.totalMs);
          row.p50.push(quantile(times, 0.5));
          row.p99.push(quantile(times, 0.99));
          log(`probe round ${round}, ${v.name}: p50 ${ms(quantile(times, 0.5))} ms, p99 ${ms(quantile(times, 0.99))} ms`);
        } finally {
          probe.close();
        }
      } finally {
        await t.stop();
      }
    }
    results.push(row);
  }
  redis.close();
  return { variants, rounds: results, checks, redisVersion };
}

// ---------------------------------------------------------------------------------------------------

const abRuns: AbRun[] = [];
for (let run = 1; run <= runs; run++) for (const c of abCases()) abRuns.push(await runAb(c, run));
for (const c of extraCases()) abRuns.push(await runAb(c, 1));
const probes = only.has('redis') ? await runProbes() : undefined;
killAll();

function verdict(costs: number[], goal: number): string {
  const ok = costs.filter((x) => x < goal).length;
  if (costs.length === 0) return 'not measured';
  if (ok === costs.length) return '**met**';
  if (ok === 0) return '**not met**';
  return `**met in ${ok} of ${costs.length} runs**`;
}

const srcMoved = srcPrint() !== srcPrintAtStart;
const lines: string[] = [];
const took = Math.round((performance.now() - began) / 1000);
lines.push(`## Routing and limits overhead (issues 18, 20, 21)${smoke ? ' — smoke pass' : ''}`);
lines.push('');
lines.push(
  `Command: \`bun run bench/overhead.ts${argv.length ? ` ${argv.join(' ')}` : ''}\` · ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · took ${took} s · gateway from source (\`src/main.ts\`) at ${srcAt}${srcMoved ? ` (**src/ changed during the run**: ${srcState()} at the end; each gateway runs the src/ of its start)` : ''}, against the mock upstream on loopback · target on CPU 1, load generator, mock and Redis on CPU 0${pinned ? '' : ' (not pinned: no taskset or one CPU)'} · load average ${loadAtStart.toFixed(2)} at the start${loadAtStart > 2 ? ' (**busy machine**: other work competed)' : ''}.`,
);
lines.push('');

const abGoal = (goal: 'routing' | 'limits') => abRuns.filter((r) => !r.error && r.failures === 0).flatMap((r) => r.vs.filter((_, j) => r.c.goals[j] === goal).map((v) => v.throughputCost));
const probeSummary = (() => {
  if (!probes || 'error' in probes) return undefined;
  const col = (i: number, k: 'p50' | 'p99') => probes.rounds.map((r) => r[k][i] ?? Number.NaN);
  const diff = (i: number, j: number, k: 'p50' | 'p99') => median(probes.rounds.map((r) => (r[k][i] ?? Number.NaN) - (r[k][j] ?? Number.NaN)));
  return {
    p50: probes.variants.map((_, i) => median(col(i, 'p50'))),
    p99: probes.variants.map((_, i) => median(col(i, 'p99'))),
    redisOverNone: { p50: diff(2, 0, 'p50'), p99: diff(2, 0, 'p99') },
    redisOverMemory: { p50: diff(2, 1, 'p50'), p99: diff(2, 1, 'p99') },
    memoryOverNone: { p50: diff(1, 0, 'p50'), p99: diff(1, 0, 'p99') },
  };
})();

lines.push('| goal | measured | result |');
lines.push('| --- | --- | --- |');
if (only.has('routing')) {
  const costs = abGoal('routing');
  lines.push(`| routing on a healthy alias costs < 5% of throughput (paired A/B) | ${costs.map((c) => signedPct(-c)).join(', ') || 'n/a'} | ${verdict(costs, GOAL_THROUGHPUT)} |`);
}
if (only.has('limits')) {
  const costs = abGoal('limits');
  lines.push(`| the limits check (in memory) costs < 5% of throughput (paired A/B) | ${costs.map((c) => signedPct(-c)).join(', ') || 'n/a'} | ${verdict(costs, GOAL_THROUGHPUT)} |`);
}
if (probeSummary) {
  const d = probeSummary.redisOverNone;
  lines.push(
    `| the Redis-backed check adds < 0.3 ms per request at one connection (p50, over no limits) | ${signedMs(d.p50)} ms p50 (${signedMs(d.p99)} ms p99) | ${d.p50 < GOAL_REDIS_MS ? '**met**' : '**not met**'} on p50${d.p99 >= GOAL_REDIS_MS ? '; the added p99 is over 0.3 ms' : '; p99 too'} |`,
  );
} else if (probes && 'error' in probes) {
  lines.push(`| the Redis-backed check adds < 0.3 ms per request at one connection | ${probes.error} | not measured |`);
}
lines.push('');

if (abRuns.length > 0) {
  lines.push(`### Paired A/B, side by side (bench/ab.ts --together --rounds=${rounds} --seconds=${seconds}, 64 connections each)`);
  lines.push('');
  lines.push('| comparison | run | variant | throughput vs baseline, per turn (median) | CPU per request vs baseline, per turn (median) | req/s median (variant / baseline) | CPU µs/req median (variant / baseline) | failed |');
  lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of abRuns) {
    if (r.error) {
      lines.push(`| ${r.c.label} | ${r.run} | — | ${r.error} | | | | |`);
      continue;
    }
    for (const [j, v] of r.vs.entries()) {
      lines.push(
        `| ${r.c.label} | ${r.run} | ${r.c.names[j + 1]} | ${signedPct(-v.throughputCost)} | ${signedPct(v.cpuAdded)} | ${Math.round(v.rpsMedian).toLocaleString('en-US')} / ${Math.round(r.base.rpsMedian).toLocaleString('en-US')} | ${v.cpuUsMedian.toFixed(1)} / ${r.base.cpuUsMedian.toFixed(1)} | ${r.failures} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    `Variants: baseline \`src/main.ts\` with no routing or limits file; \`${ALIAS.replace(WORK, 'bench/.work')}\` (the routing file: alias \`fast\` with one deployment \`provider: openai, model: gpt-4o-mini\`, all defaults; \`MODEL=fast\` makes ab.ts ask for \`fast\` instead of \`openai/gpt-4o-mini\`); the same file with plain \`openai/gpt-4o-mini\` requests (a one-deployment route with the defaults); \`${ALIAS_PACED.replace(WORK, 'bench/.work')}\` against \`${BASE_PACED}\` (alias \`slow\` over the mock's paced model, whose 22 events come 2 ms apart, one read each, as a model's stream does; every other row's stream comes in one read); \`LIMITS_CONFIG_PATH=bench/.work/limits.yaml\` (one rule \`per: caller\`, \`requests_per_minute: 100000000\`, \`tokens_per_minute: 100000000000\`: every request is checked, charged and corrected, none refused; with a token window the gateway reads a copy of each request's body for its model and max_tokens); \`bench/.work/limits-requests.yaml\`, the same rule with \`requests_per_minute\` only (no copy of the body read). Rows with three variants load all three at once. The rows \`plain\`, \`paced\`, \`A/A\` (the same gateway twice: what one run moves by itself) and \`limits: ...\` are shown, not judged. Each run starts the variants once, all pinned to the same core; in each turn all are loaded at once for ${seconds} s (each by its own load generator on the other core), and each variant's figures are compared with the baseline's from the same turn, so that the machine's speed steps fall on both alike (bench/README.md, "Side by side"). A run with failed or non-2xx requests would not count towards its goal (all must answer 200).`,
  );
  lines.push('');
}

if (probes && !('error' in probes) && probeSummary) {
  lines.push(`### One connection: ${samples} sequential non-stream chats (bench/probe.ts), ${probes.rounds.length} interleaved round${probes.rounds.length === 1 ? '' : 's'}`);
  lines.push('');
  lines.push(`| round | ${probes.variants.map((v) => `${v.name} p50 / p99 (ms)`).join(' | ')} |`);
  lines.push(`| ---: | ${probes.variants.map(() => '---:').join(' | ')} |`);
  for (const r of probes.rounds) lines.push(`| ${r.round} | ${probes.variants.map((_, i) => `${ms(r.p50[i] ?? Number.NaN)} / ${ms(r.p99[i] ?? Number.NaN)}`).join(' | ')} |`);
  lines.push(`| **median** | ${probes.variants.map((_, i) => `**${ms(probeSummary.p50[i] ?? Number.NaN)} / ${ms(probeSummary.p99[i] ?? Number.NaN)}**`).join(' | ')} |`);
  lines.push('');
  lines.push('| added (median of the per-round differences) | p50 | p99 |');
  lines.push('| --- | ---: | ---: |');
  lines.push(`| limits over Redis vs no limits | ${signedMs(probeSummary.redisOverNone.p50)} ms | ${signedMs(probeSummary.redisOverNone.p99)} ms |`);
  lines.push(`| limits over Redis vs limits in memory | ${signedMs(probeSummary.redisOverMemory.p50)} ms | ${signedMs(probeSummary.redisOverMemory.p99)} ms |`);
  lines.push(`| limits in memory vs no limits | ${signedMs(probeSummary.memoryOverNone.p50)} ms | ${signedMs(probeSummary.memoryOverNone.p99)} ms |`);
  lines.push('');
  lines.push(
    `Each round starts the three gateways one after the other (A, B, C), each fresh, and warms it (${Math.min(200, samples)} chats on the connection${smoke ? '' : ', 1 s of load at 16 connections'}, ${Math.min(200, samples)} more) before the ${samples} measured chats; latency is from the request's write to the last body byte. Redis: \`${probes.redisVersion}\`, \`redis-server --port N --bind 127.0.0.1 --save '' --appendonly no\` on CPU 0, \`REDIS_URL=redis://127.0.0.1:N/0\`. Checked in every round: \`GET /v1/limits\` says \`store: ok\` and its sliding request count grew by at least 90% of the measured chats (the previous minute's share shrinks meanwhile; 404 without limits; Redis is flushed before each start of the Redis variant), and Redis processed at least one command per measured chat with limits over Redis (none otherwise). ${probes.checks.length === 0 ? 'All checks passed.' : `**Checks failed:** ${probes.checks.join('; ')}.`}`,
  );
  lines.push('');
}

const section = lines.join('\n');
writeFileSync(out, withSection(readIfExists(out), 'overhead', section));
console.log(section);
log(`written to ${out} (${took} s)`);
process.exit(0);
