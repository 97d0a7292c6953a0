/**
 * The features goal measured side by side: the default binary and the one with MCP, auth and telemetry
 * on run at once (one idles while the other is loaded) and take turns under the same non-stream load.
 * Measured one after the other, a single pair swung ±20% with the machine; the best of several turns
 * each is what the two can do.
 */
import { runLoad } from './load.ts';
import { chatBody, type ScenarioContext } from './scenarios.ts';
import type { RunningTarget } from './targets.ts';

/** 1 − features/binary of the best non-stream requests/s each reached over `rounds` turns. */
export async function pairedDrop(binary: RunningTarget, features: RunningTarget, ctx: ScenarioContext, rounds: number, seconds: number): Promise<number> {
  const best = [0, 0];
  const targets = [binary, features];
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const spec = {
        port: t.port,
        method: 'POST' as const,
        path: '/v1/chat/completions',
        headers: t.headers,
        body: chatBody(t, ctx.upstreamModel, false),
        connections: ctx.settings.connections,
      };
      if (round === 0) await runLoad(ctx.tool, { ...spec, durationSec: 1 }, ctx.loadPin);
      const r = await runLoad(ctx.tool, { ...spec, durationSec: seconds }, ctx.loadPin);
      if (r.errors + r.non2xx > 0) throw new Error(`${t.name}: ${r.errors} errors, ${r.non2xx} non-2xx in the paired load`);
      best[i] = Math.max(best[i] ?? 0, r.rps);
    }
  }
  return 1 - (best[1] ?? 0) / (best[0] ?? 1);
}
