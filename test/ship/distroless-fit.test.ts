/**
 * No container engine here, so this checks what the image depends on: the binary needs only libraries
 * the distroless base has, runs in a root holding nothing else, and the Dockerfile says what we test.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import bunPkg from '../../node_modules/bun/package.json' with { type: 'json' };
import { SETTINGS } from '../../src/settings.ts';
import { BINARY, ensureBinary, freePort, waitForOk } from '../helpers/binary.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';

const ROOT = `${import.meta.dir}/../..`;
const DOCKERFILE = readFileSync(`${ROOT}/Dockerfile.distroless`, 'utf8');

/**
 * What gcr.io/distroless/base-nossl-debian12 ships besides CA certificates, tzdata and /etc/passwd:
 * Debian 12's libc6 (glibc 2.36), i.e. these shared objects, and no libstdc++, libgcc_s or libssl.
 */
const DISTROLESS_BASE_NOSSL_DEBIAN12_LIBS = new Set([
  'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1', 'libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2',
  'librt.so.1', 'libresolv.so.2', 'libanl.so.1', 'libutil.so.1', 'libnsl.so.1', 'libmvec.so.1', 'libBrokenLocale.so.1',
  'libthread_db.so.1', 'libc_malloc_debug.so.0', 'libnss_files.so.2', 'libnss_dns.so.2', 'libnss_compat.so.2', 'libnss_hesiod.so.2',
]);
const DEBIAN12_GLIBC = [2, 36];

interface Linked {
  name: string;
  path?: string;
}

/** `ldd` output as (soname, resolved path); the kernel's vDSO is no file and is left out. */
function lddLibraries(): Linked[] {
  const out = Bun.spawnSync(['ldd', BINARY]).stdout.toString();
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('linux-vdso') && !l.startsWith('linux-gate'))
    .map((l) => {
      const arrow = /^(\S+) => (\S+)/.exec(l);
      if (arrow) return { name: arrow[1]!, path: arrow[2] };
      const plain = /^(\S+) \(0x/.exec(l)!; // the loader: listed by its own path
      return { name: plain[1]!.split('/').at(-1)!, path: plain[1] };
    });
}

beforeAll(() => ensureBinary(), 60_000);

describe('the binary fits gcr.io/distroless/base-nossl-debian12', () => {
  test.skipIf(!Bun.which('ldd'))('ldd lists only glibc libraries that the base image ships', () => {
    const names = lddLibraries().map((l) => l.name);
    expect(names).toContain('libc.so.6');
    for (const name of names) expect(DISTROLESS_BASE_NOSSL_DEBIAN12_LIBS.has(name) ? name : `${name} (not in the base)`).toBe(name);
  });

  test('the glibc symbol versions it needs are all in Debian 12 (glibc 2.36)', () => {
    const text = readFileSync(BINARY).toString('latin1');
    const versions = [...new Set(text.match(/GLIBC_2\.\d+/g) ?? [])].map((v) => v.slice('GLIBC_'.length).split('.').map(Number));
    expect(versions.length).toBeGreaterThan(0);
    const newest = versions.reduce((a, b) => (b[0]! > a[0]! || (b[0] === a[0] && b[1]! > a[1]!) ? b : a));
    expect(newest[0]! * 1000 + newest[1]!).toBeLessThanOrEqual(DEBIAN12_GLIBC[0]! * 1000 + DEBIAN12_GLIBC[1]!);
  });

  test('the Dockerfile: distroless base, non-root, ports, self-healthcheck, only the binary copied in', () => {
    const finalStage = DOCKERFILE.slice(DOCKERFILE.lastIndexOf('\nFROM '));
    expect(finalStage).toStartWith('\nFROM gcr.io/distroless/base-nossl-debian12:nonroot\n');
    expect(finalStage).toContain('\nUSER 65532:65532\n');
    const port = (env: string) => SETTINGS.find((s) => s.env === env)?.default;
    expect(finalStage).toContain(`\nEXPOSE ${port('SERVER_PORT')} ${port('TELEMETRY_METRICS_PORT')}\n`);
    expect(finalStage.match(/^COPY /gm)).toEqual(['COPY ']);
    expect(finalStage).toContain('COPY --from=build /out/inference-gateway /usr/local/bin/inference-gateway\n');
    expect(finalStage).toContain('CMD ["/usr/local/bin/inference-gateway", "healthcheck"]');
    expect(finalStage).toContain('ENTRYPOINT ["/usr/local/bin/inference-gateway"]');
    // The Bun that compiles the image is the one the lock file pins (and CI tests with).
    expect(DOCKERFILE).toContain(`\nARG BUN_VERSION=${bunPkg.version}\n`);
  });
});

// A root with nothing but the binary, the libraries ldd names and /proc (every container runtime mounts
// it; Bun reads /proc/self/exe to find the code embedded in itself), run as distroless's uid 65532.
const canChroot = process.getuid?.() === 0 && Bun.which('unshare') !== null && Bun.which('chroot') !== null && Bun.which('ldd') !== null;

describe.skipIf(!canChroot)('the binary in a minimal root (chroot, uid 65532, no other files)', () => {
  let root = '';
  const fake = fakeProvider({ 'POST /chat/completions': () => Response.json(chatCompletion('from the minimal root')) });

  /** Runs the binary inside the root, in its own mount namespace (where /proc is mounted). */
  const inRoot = (args: string[], env: Record<string, string>) =>
    Bun.spawn(
      ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c',
        'mount -t proc proc "$0/proc" && exec "$CHROOT" --userspec=65532:65532 "$0" /inference-gateway "$@"', root, ...args],
      { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CHROOT: Bun.which('chroot')!, ...env }, stdout: 'pipe', stderr: 'pipe' },
    );

  beforeAll(() => {
    root = mkdtempSync(join(`${ROOT}/dist`, '.minimal-root-'));
    chmodSync(root, 0o755); // uid 65532 must be able to enter it
    for (const lib of lddLibraries()) {
      const target = join(root, lib.path!);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(lib.path!, target); // follows symlinks: the real file lands under the linked name
    }
    mkdirSync(join(root, 'proc'));
    try {
      linkSync(BINARY, join(root, 'inference-gateway'));
    } catch {
      copyFileSync(BINARY, join(root, 'inference-gateway'));
    }
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('prints its version, serves, answers its own healthcheck and drains on SIGTERM', async () => {
    const version = inRoot(['--version'], {});
    expect(await version.exited, await new Response(version.stderr).text()).toBe(0);
    expect((await new Response(version.stdout).text()).trim()).toBe(Bun.spawnSync([BINARY, '--version']).stdout.toString().trim());

    const port = freePort();
    const env = { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-root' };
    const server = inRoot([], env);
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, 10_000);
      expect(readFileSync(`/proc/${server.pid}/status`, 'utf8')).toMatch(/^Uid:\t65532\t65532\t/m);
      const check = inRoot(['healthcheck'], env);
      expect(await check.exited).toBe(0);
      const chat = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('from the minimal root');
      // sh and chroot exec'd into the binary: the spawned pid is the gateway itself.
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  }, 30_000);
});
