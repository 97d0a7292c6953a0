/** Runs the source gateway under Bun's CPU profiler through the same scenarios, to see where time goes. */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { measureTarget, type ScenarioContext } from './scenarios.ts';
import { startTarget, WORK } from './targets.ts';

export interface ProfileOptions {
  mockPort: number;
  pin: string[];
  ctx: ScenarioContext;
}

/** Profiles one pass; returns the folder holding the profile (Chrome .cpuprofile and a markdown summary). */
export async function profileSource(opts: ProfileOptions): Promise<string> {
  const dir = join(WORK, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const target = await startTarget('source', {
    mockPort: opts.mockPort,
    pin: opts.pin,
    bunFlags: ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'],
  });
  try {
    await measureTarget(target, opts.ctx);
  } finally {
    // SIGTERM: the gateway drains and exits normally, and Bun writes the profile on the way out.
    await target.stop();
  }
  const files = readdirSync(dir);
  if (files.length === 0) throw new Error('the profiler wrote nothing');
  return dir;
}
