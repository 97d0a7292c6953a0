/**
 * Replays Dockerfile.distroless's build without a container engine: the build context is exactly what
 * .dockerignore lets through, each stage's COPY lines take only from it (or from an earlier stage), and
 * its RUN lines run as written. The host's npm stands in for node's image and the repo's Bun for
 * oven/bun's; the target is this machine's architecture. Then the binary it made has to run.
 */
import { afterAll, expect, test } from 'bun:test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { dockerIgnore, parseCopy, parseDockerfile, type Stage } from '../helpers/dockerfile.ts';
import { freePort, waitForOk } from '../helpers/binary.ts';

const ROOT = join(import.meta.dir, '..', '..');
const WORK = mkdtempSync(join(tmpdir(), 'container-build-'));
const CONTEXT = join(WORK, 'context');
const stageRoot = (name: string) => join(WORK, 'stages', name);
// Tens of thousands of files on a slow disk: removing them can take seconds.
afterAll(() => rmSync(WORK, { recursive: true, force: true }), 60_000);

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile.distroless'), 'utf8'));
const ignore = dockerIgnore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const TARGETARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

/** Absolute paths a later stage copies from (`/out/…`) are rewritten into the stage's own root. */
const copiedFrom = stages.flatMap((s) => s.steps.filter((i) => i.op === 'COPY').map((i) => parseCopy(i.args)).filter((c) => c.from));
function rootPaths(cmd: string, root: string): string {
  const tops = new Set(copiedFrom.flatMap((c) => c.sources).filter((p) => p.startsWith('/')).map((p) => p.split('/')[1]!));
  let out = cmd;
  for (const top of tops) out = out.replaceAll(`=/${top}/`, `=${root}/${top}/`).replaceAll(` /${top}/`, ` ${root}/${top}/`);
  return out;
}

/** `COPY src… dest` as a builder does it: a directory's contents, a file into `dest/` or to `dest`. */
function copy(args: string, root: string, workdir: string): void {
  const line = parseCopy(args);
  const from = line.from ? stageRoot(line.from) : CONTEXT;
  const dest = join(root, posix.resolve(workdir, line.dest));
  const intoDir = line.dest.endsWith('/') || line.sources.length > 1;
  for (const source of line.sources) {
    const src = join(from, source);
    if (!existsSync(src)) throw new Error(`COPY ${args}: "${source}" is not in the ${line.from ? `stage ${line.from}` : 'build context'}`);
    const target = !statSync(src).isDirectory() && intoDir ? join(dest, posix.basename(source)) : dest;
    mkdirSync(statSync(src).isDirectory() ? target : dirname(target), { recursive: true });
    cpSync(src, target, { recursive: true });
  }
}

async function runStage(stage: Stage): Promise<void> {
  const root = stageRoot(stage.name);
  mkdirSync(root, { recursive: true });
  let workdir = '/';
  const env: Record<string, string> = { TARGETARCH };
  for (const { op, args } of stage.steps) {
    if (op === 'WORKDIR') workdir = posix.resolve(workdir, args);
    else if (op === 'ARG') {
      const [name, value] = args.split('=');
      if (!(name! in env)) env[name!] = (value ?? '').replace(/^"|"$/g, '');
    } else if (op === 'COPY') copy(args, root, workdir);
    else if (op === 'RUN') {
      const cwd = join(root, workdir);
      mkdirSync(cwd, { recursive: true });
      const proc = Bun.spawn(['sh', '-c', rootPaths(args, root)], {
        cwd,
        env: { ...process.env, ...env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`, npm_config_prefer_offline: 'true' },
        stdout: 'pipe',
        stderr: 'pipe',
      });
      const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
      if (code !== 0) throw new Error(`stage ${stage.name}: RUN ${args}\nexited ${code}: ${stderr.slice(-2000)}`);
    }
  }
}

test('the build context holds what the build stage copies, and nothing secret', () => {
  const files = ignore.files(ROOT);
  for (const f of ['package.json', 'package-lock.json', 'build.ts', 'scripts/bytecode-order.ts', 'src/main.ts']) expect(files).toContain(f);
  for (const f of files) expect(f.startsWith('node_modules/') || f.startsWith('dist/') || f.startsWith('.git/') || f.endsWith('.env') ? f : 'ok').toBe('ok');
});

test('the Dockerfile builds from its context: npm ci, then build.ts, and the binary it makes serves /health', async () => {
  for (const file of ignore.files(ROOT)) {
    mkdirSync(dirname(join(CONTEXT, file)), { recursive: true });
    cpSync(join(ROOT, file), join(CONTEXT, file));
  }
  const names = stages.map((s) => s.name);
  expect(names.slice(0, 2)).toEqual(['deps', 'build']);
  for (const stage of stages.slice(0, -1)) await runStage(stage);

  // The final stage takes only the binary from the build stage.
  const final = stages.at(-1)!.steps.filter((s) => s.op === 'COPY').map((s) => parseCopy(s.args));
  expect(final.map((c) => c.from)).toEqual(['build']);
  const binary = join(stageRoot('build'), final[0]!.sources[0]!);
  expect(existsSync(binary)).toBe(true);

  const version = Bun.spawnSync([binary, '--version'], { env: {}, cwd: '/' });
  expect(version.exitCode).toBe(0);
  expect(version.stdout.toString()).toContain(pkg.version);

  const port = freePort();
  const proc = Bun.spawn([binary], {
    env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), OLLAMA_API_URL: 'http://127.0.0.1:9/v1' },
    cwd: '/',
    stdout: 'ignore',
    stderr: 'ignore',
  });
  try {
    await waitForOk(`http://127.0.0.1:${port}/health`, 10_000);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ message: 'OK' });
  } finally {
    proc.kill('SIGKILL');
  }
}, 120_000);
