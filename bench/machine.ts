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
    const pkg = JSON.parse(readFileSync(`${import.meta.dir}/../node_modules/autocannon/package.json`, 'utf8')) as { version: string };
    return `autocannon ${pkg.version}`;
  } catch {
    return 'autocannon';
  }
}

/**
 * CPU time used by everything on the machine except `ours` (pids), as a share of all CPUs, between two
 * samples: shows whether other work competed with the benchmark.
 */
export class BusyMeter {
  private readonly startTotal: number;
  private readonly startBusy: number;

  constructor() {
    [this.startTotal, this.startBusy] = BusyMeter.sample();
  }

  private static sample(): [number, number] {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return [total, total - idle];
  }

  /** Share (0..1) of all CPU time that was busy since the meter started. */
  busyShare(): number {
    const [total, busy] = BusyMeter.sample();
    return total === this.startTotal ? 0 : (busy - this.startBusy) / (total - this.startTotal);
  }
}
