/**
 * Load and soak (issue 9): many concurrent streaming chats at once must all complete, and a steady load
 * held for minutes must not grow the gateway's memory. Loopback only; every loop is bounded in time and
 * count. Writes its figures into the "load-soak" section of bench/RESULTS.md.
 *   bun run bench/load-soak.ts [--concurrency=1000] [--soak-seconds=300] [--workers=32] [--smoke]
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startMock } from './mock-upstream.ts';
import { readIfExists, withSection } from './results-section.ts';
import { BUN, freePort, killAll, memoryOf, ROOT, spawnTracked, WORK } from './targets.ts';

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const opt = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const concurrency = opt('concurrency', smoke ? 200 : 1000);
const soakSeconds = opt('soak-seconds', smoke ? 15 : 300);
const workers = opt('workers', 32);
/** RSS may settle this much after the warm-up minute without counting as growth. */
const GROWTH_BOUND_MB = 10;
const outFile = smoke ? join(WORK, 'RESULTS.load-soak.smoke.md') : join(ROOT, 'bench', 'RESULTS.md');

process.on('exit', killAll);
const log = (msg: string) => process.stderr.write(`load-soak: ${msg}\n`);

const mock = startMock({ port: 0, chunks: 20, delayMs: 5 });
const port = freePort();
const gateway = spawnTracked(
  [BUN, 'run', 'src/main.ts'],
  { PATH: process.env.PATH, SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), OPENAI_API_URL: `http://127.0.0.1:${mock.port}/v1`, OPENAI_API_KEY: 'sk-load-not-real' },
  'load-soak-gateway',
);
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (i > 500) throw new Error('gateway did not start');
  if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
  await Bun.sleep(20);
}

const body = (stream: boolean, paced: boolean) =>
  JSON.stringify({ model: `openai/gpt-4o-mini${paced ? '-paced' : ''}`, messages: [{ role: 'user', content: 'hi' }], stream });

/** One chat; true when it completed as it should (JSON answer, or a stream ending in [DONE] with no error). */
async function chat(stream: boolean, paced: boolean): Promise<boolean> {
  try {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(stream, paced) });
    const text = await res.text();
    if (res.status !== 200) return false;
    return stream ? text.trimEnd().endsWith('data: [DONE]') && !text.includes('"error"') : text.startsWith('{"id"');
  } catch {
    return false;
  }
}

// 1. All at once: every stream is open at the same time (20 chunks, 5 ms apart: ~100 ms each).
log(`${concurrency} concurrent streaming chats`);
const burstStart = performance.now();
const burst = await Promise.all(Array.from({ length: concurrency }, () => chat(true, true)));
const burstMs = performance.now() - burstStart;
const burstOk = burst.filter(Boolean).length;
const burstPeak = memoryOf(gateway.pid).peakMb;

// 2. Soak: `workers` clients in a loop (plain and paced streamed chats in turn) until the deadline.
log(`soak for ${soakSeconds} s with ${workers} workers`);
const samples: { t: number; rssMb: number }[] = [];
const soakStart = performance.now();
const deadline = soakStart + soakSeconds * 1000;
let ok = 0;
let failed = 0;
const sampler = setInterval(() => samples.push({ t: (performance.now() - soakStart) / 1000, rssMb: memoryOf(gateway.pid).rssMb }), 1000);
await Promise.all(
  Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; performance.now() < deadline && i < 10_000_000; i++) {
      if (await chat(i % 2 === 1, (i + w) % 4 === 1)) ok++;
      else failed++;
    }
  }),
);
clearInterval(sampler);
samples.push({ t: (performance.now() - soakStart) / 1000, rssMb: memoryOf(gateway.pid).rssMb });

const warmAt = Math.min(60, soakSeconds / 4);
const afterWarm = samples.filter((s) => s.t >= warmAt);
const settled = afterWarm[0]?.rssMb ?? Number.NaN;
const end = samples.at(-1)?.rssMb ?? Number.NaN;
const maxAfter = Math.max(...afterWarm.map((s) => s.rssMb));
const growth = end - settled;
const mb = (v: number) => `${v.toFixed(1)} MB`;
const verdict = (pass: boolean) => (pass ? '**met**' : '**not met**');

const section = `## Load and soak (issue 9)

Command: \`bun run bench/load-soak.ts${smoke ? ' --smoke' : ''}\` · ${new Date().toISOString().slice(0, 10)} · gateway from source, default settings, against the mock upstream on loopback.

| check | result | goal |
| --- | --- | --- |
| ${concurrency} concurrent streaming chats (20 chunks, 5 ms apart) | ${burstOk} / ${concurrency} complete with \`[DONE]\`, ${concurrency - burstOk} errors, ${(burstMs / 1000).toFixed(2)} s for all; peak RSS ${mb(burstPeak)} | zero errors: ${verdict(burstOk === concurrency)} |
| soak: ${workers} clients for ${soakSeconds} s (plain and streamed chats in turn) | ${ok.toLocaleString('en-US')} chats ok, ${failed} failed (${Math.round(ok / soakSeconds).toLocaleString('en-US')}/s) | zero errors: ${verdict(failed === 0)} |
| RSS during the soak | ${mb(settled)} at ${Math.round(warmAt)} s → ${mb(end)} at the end (max ${mb(maxAfter)} after ${Math.round(warmAt)} s): growth ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB | growth ≤ ${GROWTH_BOUND_MB} MB: ${verdict(growth <= GROWTH_BOUND_MB)} |
`;
writeFileSync(outFile, withSection(readIfExists(outFile), 'load-soak', section));
log(`wrote ${outFile}`);
console.log(section);
gateway.kill('SIGTERM');
await mock.stop(true);
process.exit(burstOk === concurrency && failed === 0 && growth <= GROWTH_BOUND_MB ? 0 : 1);
