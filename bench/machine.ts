/** What the benchmark ran on: CPU, memory and tool versions, and how busy the machine was. No names or paths. */
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  bun: string;
  node: string;
  loadAvgStart: number;
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function kernel(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return process.platform;
  }
}

function version(cmd: string[]): string {
  try {
    const out = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' });
    return `${out.stdout.toString()}${out.stderr.toString()}`.split('\n')[0]?.trim() || 'unknown';
  } catch {
    return 'missing';
  }
}

/** The machine as it is now. */
export function describeMachine(): Machine {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: kernel(),
    bun: Bun.version,
    node: version(['node', '--version']),
    loadAvgStart: loadavg()[0] ?? 0,
  };
}

/** The load generator's own version line. */
export function toolVersion(tool: 'wrk' | 'autocannon'): string {
  if (tool === 'wrk') return version(['wrk', '--version']).replace(/ Copyright.*$/, '');
  try {
    const pkg = JSON.parse(readFileSync(`${import.meta.dir}/node_modules/autocannon/package.json`, 'utf8')) as { version: string };
    return `autocannon ${pkg.version}`;
  } catch {
    return 'autocannon';
  }
}

/** CPU ticks of this process and of its children that have ended (and were waited for). */
function ownTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14-17.
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

function machineTicks(): [total: number, busy: number] {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return [total, total - (v[3] ?? 0) - (v[4] ?? 0)];
}

/**
 * How much of the machine's CPU went to work other than the benchmark's own processes: shows whether
 * something competed with it. Counts this process, its finished children, and `liveTicks` of children
 * still running (the mock).
 */
export class BusyMeter {
  private readonly start = machineTicks();
  private readonly own = ownTicks();

  /** Share (0..1) of all CPU time since the meter started that others used. */
  othersShare(liveTicks = 0): number {
    const [total, busy] = machineTicks();
    const elapsed = total - this.start[0];
    if (elapsed <= 0) return 0;
    const ours = ownTicks() - this.own + liveTicks;
    return Math.max(0, busy - this.start[1] - ours) / elapsed;
  }
}
