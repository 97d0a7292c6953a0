/** Runs the source gateway under Bun's CPU profiler through the same scenarios, to see where time goes. */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from './load.ts';
import { chatBody, type ScenarioContext } from './scenarios.ts';
import { startTarget, WORK, type StartOptions } from './targets.ts';

export interface ProfileOptions extends StartOptions {
  ctx: ScenarioContext;
  /** Which load to profile: non-stream chats or streamed ones. */
  kind: 'chat' | 'stream';
  seconds: number;
  /** The model as sent (an alias, say) instead of the target's name for the mock's model. */
  model?: string;
}

/** Profiles one load; returns the folder holding the profile (Chrome .cpuprofile and a markdown summary). */
export async function profileSource(opts: ProfileOptions): Promise<string> {
  const dir = join(WORK, `profile-${opts.kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const target = await startTarget('source', {
    ...opts,
    bunFlags: ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250'],
  });
  try {
    const body = opts.model ? chatBody({ ...target, model: () => opts.model as string }, '', opts.kind === 'stream') : chatBody(target, opts.ctx.upstreamModel, opts.kind === 'stream');
    const spec = { port: target.port, method: 'POST' as const, path: '/v1/chat/completions', headers: target.headers, body };
    // Start-up and JIT warm-up are in the profile too, but short next to the measured load.
    await runLoad(opts.ctx.tool, { ...spec, connections: opts.ctx.settings.connections, durationSec: opts.seconds }, opts.ctx.loadPin);
  } finally {
    // SIGTERM: the gateway drains and exits normally, and Bun writes the profile on the way out.
    await target.stop();
  }
  const files = readdirSync(dir);
  if (files.length === 0) throw new Error('the profiler wrote nothing');
  return dir;
}
