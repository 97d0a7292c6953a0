/**
 * The benchmark: `npm run bench` (full, ~4 minutes, writes bench/RESULTS.md) or `npm run bench -- --smoke`
 * (~15 seconds, writes bench/.work/RESULTS.smoke.md). Loopback only; every load is bounded in time.
 * Options: --runs=N --seconds=S --connections=C --only=direct,bare,source,binary,features,portkey --tool=wrk|autocannon
 *          --no-install (never apt-get wrk) --rebuild / --no-rebuild (binary; default: rebuild when src/ is newer) --out=FILE
 *          --profile[=chat|stream] (also load the source gateway under Bun's CPU profiler; bench/.work/profile-*)
 *          --model=NAME (the profile's requests ask for NAME as sent, e.g. a routing alias)
 *          --env=NAME=VALUE (repeatable; extra settings for our gateway) --entry=path (variant of src/main.ts)
 *          --binary=path (another executable for the binary target)
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readIfExists, sectionOf } from './results-section.ts';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pickTool, type LoadTool } from './load.ts';
import { BusyMeter, describeMachine, toolVersion } from './machine.ts';
import { CLOCK_TICKS, cpuTimeMs } from './targets.ts';
import { renderReport, type Report, type RunResult } from './report.ts';
import { measureTarget, type Settings } from './scenarios.ts';
import { BINARY, BUN, ROOT, WORK, directTarget, killAll, startService, startTarget, TARGET_NAMES, unavailable, type RunningTarget, type TargetName } from './targets.ts';
import { profileSource } from './profile.ts';
import { startFeatureServices, type FeatureServices } from './features.ts';
import { pairedRatios } from './paired.ts';

const argv = process.argv.slice(2);
const has = (name: string) => argv.includes(`--${name}`) || argv.some((a) => a.startsWith(`--${name}=`));
const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string, fallback: number) => {
  const v = opt(name);
  return v === undefined ? fallback : Number(v);
};

const smoke = has('smoke');
const MOCK_CHUNKS = 20;
const MOCK_DELAY_MS = 1;
const UPSTREAM_MODEL = 'gpt-4o-mini';

const settings: Settings = smoke
  ? { connections: 32, chatSeconds: 1, streamSeconds: 1, warmupSeconds: 0, oneConnSamples: 50, ttfbSamples: 10, settleMs: 100 }
  : { connections: 64, chatSeconds: num('seconds', 6), streamSeconds: 3, warmupSeconds: 1, oneConnSamples: 400, ttfbSamples: 60, settleMs: 500 };
settings.connections = num('connections', settings.connections);
const runs = num('runs', smoke ? 1 : 3);
const only = (opt('only')?.split(',') ?? TARGET_NAMES) as TargetName[];
const unknown = only.filter((n) => !TARGET_NAMES.includes(n));
if (unknown.length > 0) throw new Error(`--only: unknown target ${unknown.join(', ')} (known: ${TARGET_NAMES.join(', ')})`);
// The provider connection pool is sized for the load (as in production): with the spec's default of
// 20 idle connections per provider, 64 concurrent requests would close and reopen connections all the time.
const POOL = String(Math.max(20, settings.connections * 2));
const gatewayEnv: Record<string, string> = {
  CLIENT_MAX_IDLE_CONNS_PER_HOST: POOL,
  CLIENT_MAX_IDLE_CONNS: POOL,
  ...Object.fromEntries(
    argv.filter((a) => a.startsWith('--env=')).map((a) => {
      const kv = a.slice(6);
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  ),
};
const entry = opt('entry');
const outFile = opt('out') ?? (smoke ? join(WORK, 'RESULTS.smoke.md') : join(ROOT, 'bench', 'RESULTS.md'));

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** Pins this process (and so the probes) and returns the prefixes for the load and target CPUs. */
function pinning(): { load: string[]; target: string[]; pinned: boolean } {
  if (!Bun.which('taskset') || availableParallelism() < 2 || has('no-pin')) return { load: [], target: [], pinned: false };
  Bun.spawnSync(['taskset', '-a', '-p', '-c', '0', String(process.pid)], { stdout: 'ignore', stderr: 'ignore' });
  return { load: ['taskset', '-c', '0'], target: ['taskset', '-c', '1'], pinned: true };
}

/** Newest modification time of what goes into the binary. */
function newestSourceMs(): number {
  let newest = 0;
  for (const rel of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })) {
    newest = Math.max(newest, statSync(join(ROOT, 'src', rel)).mtimeMs);
  }
  for (const f of ['openapi.yaml', 'package.json', 'build.ts', 'scripts/bytecode-order.ts']) newest = Math.max(newest, statSync(join(ROOT, f)).mtimeMs);
  return newest;
}

/**
 * The binary to measure: dist/inference-gateway when it is newer than the source (or --no-rebuild);
 * otherwise a fresh build. A missing dist binary is built in place; a stale one is left alone (other
 * work may be running it) and the fresh build goes to bench/.work/.
 */
async function binaryToMeasure(): Promise<{ path: string; note: string }> {
  const given = opt('binary');
  if (given) return { path: given, note: `${given} (--binary)` };
  const fresh = existsSync(BINARY) && statSync(BINARY).mtimeMs >= newestSourceMs();
  if (existsSync(BINARY) && (has('no-rebuild') || (fresh && !has('rebuild')))) {
    return { path: BINARY, note: fresh ? 'dist/inference-gateway' : 'dist/inference-gateway (older than src/: --no-rebuild)' };
  }
  const path = existsSync(BINARY) ? join(WORK, 'inference-gateway') : BINARY;
  log(`building ${path === BINARY ? 'dist/inference-gateway' : 'a fresh binary in bench/.work (dist/ is older than src/)'}`);
  const proc = Bun.spawn([BUN, 'run', 'build.ts', `--outfile=${path}`], { cwd: ROOT, stdout: 'ignore', stderr: 'inherit' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 180_000);
  const code = await proc.exited;
  clearTimeout(timer);
  if (code !== 0) log('binary build failed; the binary target is skipped');
  return { path, note: path === BINARY ? 'dist/inference-gateway, built for this run' : 'built from the current src/ for this run' };
}

async function startMock(pin: string[]): Promise<{ port: number; pid: number }> {
  const cmd = [...pin, BUN, 'run', join(ROOT, 'bench', 'mock-upstream.ts'), '--port=0', `--chunks=${MOCK_CHUNKS}`, `--delay-ms=${MOCK_DELAY_MS}`];
  const { info, pid } = await startService<{ port: number }>(cmd, 'mock');
  return { port: info.port, pid };
}

async function main(): Promise<void> {
  const began = performance.now();
  mkdirSync(WORK, { recursive: true });
  const meter = new BusyMeter();
  const machine = describeMachine();
  const pin = pinning();
  const binary = only.includes('binary') || only.includes('features') ? await binaryToMeasure() : { path: BINARY, note: 'dist/inference-gateway' };
  const tool: LoadTool = await pickTool({ install: !has('no-install') && !smoke, force: opt('tool') as LoadTool | undefined });
  const mock = await startMock(pin.load);
  log(`mock upstream on ${mock.port}; load generator ${tool}; ${pin.pinned ? 'pinned' : 'not pinned'}; ${runs} run(s)`);

  const errors: string[] = [];
  const results: RunResult[] = [];
  const featuresDrops: number[] = [];
  const sharesOfDirect: Partial<Record<TargetName, number>>[] = [];
  // The issuer and MCP server outlive the runs: only the gateway is started fresh each time.
  let features: FeatureServices | undefined;
  let featuresProblem = 'not started';
  if (only.includes('features') && !unavailable('features', binary.path)) {
    features = await startFeatureServices(pin.load).catch((err: Error) => {
      featuresProblem = `issuer or MCP server did not start: ${err.message}`;
      return undefined;
    });
  }
  const start = async (name: TargetName): Promise<RunningTarget> => {
    const opts = { mockPort: mock.port, pin: pin.target, env: gatewayEnv, entry, binary: binary.path };
    if (name === 'direct') return directTarget(mock.port, mock.pid);
    if (name !== 'features' || !features) return startTarget(name, opts);
    const t = await startTarget(name, { ...opts, env: { ...gatewayEnv, ...features.env() }, headers: features.headers });
    await features.waitForTools(t).catch(async (err: Error) => {
      await t.stop();
      throw err;
    });
    return t;
  };
  const ctx = { tool, loadPin: pin.load, settings, upstreamModel: UPSTREAM_MODEL };
  for (let run = 1; run <= runs; run++) {
    const result: RunResult = {};
    for (const name of only) {
      const missing = name === 'direct' ? undefined : (unavailable(name, binary.path) ?? (name === 'features' && !features ? featuresProblem : undefined));
      if (missing) {
        if (run === 1) errors.push(`${name}: skipped (${missing})`);
        continue;
      }
      try {
        const target = await start(name);
        try {
          result[name] = await measureTarget(target, ctx).catch((err: Error) => {
            const ended = target.exitStatus();
            throw ended ? new Error(`${err.message} (the process ended: ${ended}; see bench/.work/${name}.stderr.log)`) : err;
          });
          const t = result[name];
          log(`run ${run} ${name}: ${Math.round(t.chatRps)} req/s, ${Math.round(t.chatCpuUs)} µs CPU/req, first chunk ${t.ttfbP50Ms.toFixed(3)} ms (warm ${t.ttfbWarmP50Ms.toFixed(3)}), peak ${t.peakRssMb.toFixed(1)} MB`);
        } finally {
          await target.stop();
        }
      } catch (err) {
        errors.push(`run ${run} ${name}: ${(err as Error).message}`);
        log(`run ${run} ${name} failed: ${(err as Error).message}`);
      }
    }
    results.push(result);
    // Shares of direct, side by side (bench/paired.ts): each gateway's turn right after one of direct.
    const sharing = (['bare', 'source', 'binary'] as const).filter((n) => result[n]);
    if (result.direct && sharing.length > 0) {
      const started: RunningTarget[] = [];
      try {
        for (const n of sharing) started.push(await start(n));
        const ratios = await pairedRatios(await start('direct'), started, ctx, smoke ? 1 : 6, 1);
        const shares: Partial<Record<TargetName, number>> = {};
        sharing.forEach((n, i) => (shares[n] = ratios[i]));
        sharesOfDirect.push(shares);
        log(`run ${run} share of direct, side by side: ${sharing.map((n) => `${n} ${((shares[n] ?? Number.NaN) * 100).toFixed(1)}%`).join(', ')}`);
      } catch (err) {
        errors.push(`run ${run} side by side with direct: ${(err as Error).message}`);
      } finally {
        await Promise.all(started.map((t) => t.stop()));
      }
    }
    // The features goal, the same way: both binaries up at once, features right after binary.
    if (result.binary && result.features && features) {
      try {
        const [b, f] = [await start('binary'), await start('features')];
        try {
          const drop = 1 - ((await pairedRatios(b, [f], ctx, smoke ? 1 : 8, 1))[0] ?? Number.NaN);
          featuresDrops.push(drop);
          log(`run ${run} features vs binary, side by side: ${(drop * 100).toFixed(1)}% fewer requests/s`);
        } finally {
          await Promise.all([b.stop(), f.stop()]);
        }
      } catch (err) {
        errors.push(`run ${run} features vs binary: ${(err as Error).message}`);
      }
    }
  }

  if (has('profile')) {
    const kind = opt('profile') === 'stream' ? 'stream' : 'chat';
    const where = await profileSource({ mockPort: mock.port, pin: pin.target, env: gatewayEnv, entry, ctx, kind, seconds: smoke ? 2 : 10, model: opt('model') || undefined });
    log(`CPU profile written to ${where}`);
  }

  if (runs === 0) return;
  const othersBusy = meter.othersShare((cpuTimeMs(mock.pid) * CLOCK_TICKS) / 1000);
  const report: Report = {
    machine,
    tool: toolVersion(tool),
    pinned: pin.pinned,
    othersBusy,
    settings,
    runs: results,
    featuresDrops,
    sharesOfDirect,
    errors,
    smoke,
    command: smoke ? 'npm run bench:smoke' : 'npm run bench',
    binarySizeMb: existsSync(binary.path) ? statSync(binary.path).size / 1024 ** 2 : Number.NaN,
    binaryNote: binary.note,
    gatewayEnv,
    durationSec: (performance.now() - began) / 1000,
    mock: { chunks: MOCK_CHUNKS, delayMs: MOCK_DELAY_MS },
  };
  // The figures of the other harnesses (load-soak.ts, held-streams.ts, overhead.ts) live in the same file: keep them.
  const previous = readIfExists(outFile);
  const kept = ['load-soak', 'held-streams', 'overhead'].map((name) => sectionOf(previous, name)).filter((s) => s);
  writeFileSync(outFile, kept.length > 0 ? `${renderReport(report).trimEnd()}\n\n${kept.join('\n\n')}\n` : renderReport(report));
  log(`wrote ${outFile} in ${Math.round(report.durationSec)} s`);
  // A smoke run must prove the harness works: at least one target measured in full.
  if (results.every((r) => Object.keys(r).length === 0)) process.exitCode = 1;
}

try {
  await main();
} finally {
  killAll();
}
