import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { parseDuration } from '../../src/duration.ts';
import { SETTINGS } from '../../src/settings.ts';
import { BINARY, ensureBinary, freePort, waitForOk } from '../helpers/binary.ts';
import { chatChunks, fakeProvider, sseResponse } from '../helpers/fake-provider.ts';

const DEPLOY = `${import.meta.dir}/../../deploy`;
const UNIT = readFileSync(`${DEPLOY}/inference-gateway.service`, 'utf8');
const ENV_EXAMPLE = readFileSync(`${DEPLOY}/inference-gateway.env.example`, 'utf8');
const ANALYZE = Bun.which('systemd-analyze');
const dir = mkdtempSync(join(tmpdir(), 'gw-unit-'));

/** `Key=value` lines of the unit (the last one wins, except for lists, which this keeps in order). */
function directives(key: string): string[] {
  return [...UNIT.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
}

/** The unit as installed, except that ExecStart points at this checkout's binary (verify checks it exists). */
function unitCopy(name: string, edit: (text: string) => string = (t) => t): string {
  const path = join(dir, name);
  writeFileSync(path, edit(UNIT.replace(/^ExecStart=.*$/m, `ExecStart=${BINARY}`)));
  return path;
}

beforeAll(() => ensureBinary(), 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy/inference-gateway.service', () => {
  test('has the restart policy, env file and hardening the README promises', () => {
    expect(directives('ExecStart')).toEqual(['/usr/local/bin/inference-gateway']);
    expect(directives('EnvironmentFile')).toEqual(['/etc/inference-gateway/inference-gateway.env']);
    expect(directives('Restart')).toEqual(['on-failure']);
    for (const [key, value] of [
      ['DynamicUser', 'yes'], ['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'], ['CapabilityBoundingSet', ''], ['KillSignal', 'SIGTERM'], ['MemoryMax', '512M'],
    ] as const) {
      expect(`${key}=${directives(key).at(-1)}`).toBe(`${key}=${value}`);
    }
    // Bun's JIT writes code, then runs it: this protection would kill the process at start.
    expect(directives('MemoryDenyWriteExecute')).toEqual([]);
    // systemd must wait longer than the gateway's own drain before it kills.
    const drain = parseDuration(SETTINGS.find((s) => s.env === 'SERVER_SHUTDOWN_TIMEOUT')!.default!)!;
    expect(parseDuration(directives('TimeoutStopSec').at(-1)!)!).toBeGreaterThan(drain);
  });

  test.skipIf(!ANALYZE)('systemd-analyze verify passes, and would catch a broken directive', () => {
    const ok = Bun.spawnSync([ANALYZE!, 'verify', unitCopy('inference-gateway.service')], { stderr: 'pipe' });
    expect(`${ok.stdout}${ok.stderr}`.trim()).toBe('');
    expect(ok.exitCode).toBe(0);
    const broken = unitCopy('broken.service', (t) => t.replace('Restart=on-failure', 'Restart=sometimes'));
    const bad = Bun.spawnSync([ANALYZE!, 'verify', broken], { stderr: 'pipe' });
    expect(bad.stderr.toString()).toContain('Failed to parse service restart specifier');
  });

  test.skipIf(!ANALYZE)('systemd-analyze security rates its exposure OK (below 2 of 10)', () => {
    const out = Bun.spawnSync([ANALYZE!, 'security', '--offline=true', unitCopy('inference-gateway.service')], { stderr: 'pipe' });
    const level = /Overall exposure level for .*: ([\d.]+) /.exec(out.stdout.toString());
    expect(Number(level?.[1])).toBeLessThan(2);
  });

  // No systemd to run it under here: trace a real run instead and check each system call against the
  // unit's own SystemCallFilter= lines, as systemd would expand them.
  test.skipIf(!ANALYZE || !Bun.which('strace'))('every system call of a real run (serve, stream, metrics, drain) passes its SystemCallFilter', async () => {
    const allowed = syscallFilter();
    const fake = fakeProvider({ 'POST /chat/completions': () => sseResponse(chatChunks(['a', 'b']), { delayMs: 10 }) });
    const port = freePort();
    const metricsPort = freePort();
    const trace = join(dir, 'strace.out');
    const strace = Bun.spawn(['strace', '-f', '-qq', '-o', trace, BINARY], {
      env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(port), TELEMETRY_ENABLE: 'true', TELEMETRY_METRICS_PORT: String(metricsPort), OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-trace' },
      stdout: 'ignore',
      stderr: 'ignore',
    });
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`, 15_000);
      const body = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true });
      const chats = Array.from({ length: 5 }, () => fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body }).then((r) => r.text()));
      expect((await Promise.all(chats)).every((t) => t.trimEnd().endsWith('data: [DONE]'))).toBe(true);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
      // strace forwards nothing: signal the traced gateway (strace's child) itself.
      const gateway = Number(readFileSync(`/proc/${strace.pid}/task/${strace.pid}/children`, 'utf8').trim().split(' ')[0]);
      process.kill(gateway, 'SIGTERM');
      expect(await strace.exited).toBe(0);
    } finally {
      strace.kill('SIGKILL');
      await fake.stop();
    }
    const used = new Set([...readFileSync(trace, 'utf8').matchAll(/^\d+ +([a-z0-9_]+)\(/gm)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((name) => !allowed.has(name))).toEqual([]);
  }, 40_000);
});

/** The system calls the unit allows: its SystemCallFilter= lines, with groups expanded by systemd-analyze. */
function syscallFilter(): Set<string> {
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of Bun.spawnSync([ANALYZE!, 'syscall-filter']).stdout.toString().split('\n')) {
    if (line.startsWith('@')) groups.set(line.split(/\s/)[0]!, (current = []));
    else if (current && line.trim() !== '' && !line.trim().startsWith('#')) current.push(line.trim());
  }
  const expand = (name: string, seen = new Set<string>()): string[] => {
    if (!name.startsWith('@')) return [name];
    if (seen.has(name)) return [];
    seen.add(name);
    return (groups.get(name) ?? []).flatMap((n) => expand(n, seen));
  };
  const allowed = new Set<string>();
  for (const line of directives('SystemCallFilter')) {
    const deny = line.startsWith('~');
    for (const name of line.replace(/^~/, '').split(/\s+/).filter(Boolean).flatMap((n) => expand(n))) {
      if (deny) allowed.delete(name);
      else allowed.add(name);
    }
  }
  return allowed;
}

describe('deploy/inference-gateway.env.example', () => {
  const assignments = [...ENV_EXAMPLE.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const);

  test('sets only settings the gateway knows, and starts a valid configuration', () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    expect(assignments.length).toBeGreaterThan(10);
    expect(assignments.map(([k]) => k).filter((k) => !known.has(k))).toEqual([]);
    const config = loadConfig(Object.fromEntries(assignments));
    expect(config.server.port).toBe(8080);
    expect(config.server.shutdownTimeoutMs).toBe(30_000);
  });

  test('every commented-out setting is a known one too', () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    const commented = [...ENV_EXAMPLE.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    expect(commented.length).toBeGreaterThan(5);
    expect(commented.filter((k) => !known.has(k))).toEqual([]);
  });
});
