/**
 * Ratios measured side by side: the targets run at once (the idle ones cost nothing) and take turns
 * under the same non-stream load, each one right after its reference. This machine's speed shifts from
 * one second to the next (other VMs on the host), in steps of up to ±30%; one target measured ~30 s
 * after another can land in a different step. For the features goal, the best turn of each (the method
 * before) swung 8–23% between runs of the same code. The median of back-to-back ratios holds steady.
 */
import { runLoad } from './load.ts';
import { median } from './report.ts';
import { chatBody, type ScenarioContext } from './scenarios.ts';
import type { RunningTarget } from './targets.ts';

async function chatRps(t: RunningTarget, ctx: ScenarioContext, durationSec: number): Promise<number> {
  const r = await runLoad(
    ctx.tool,
    { port: t.port, method: 'POST', path: '/v1/chat/completions', headers: t.headers, body: chatBody(t, ctx.upstreamModel, false), connections: ctx.settings.connections, durationSec },
    ctx.loadPin,
  );
  if (r.errors + r.non2xx > 0) throw new Error(`${t.name}: ${r.errors} errors, ${r.non2xx} non-2xx in the side-by-side load`);
  return r.rps;
}

/**
 * For each of `others`: the median over `turns` of its requests/s over `base`'s, the two loaded back to
 * back (`seconds` each) in every turn, after a warm-up of each target.
 */
export async function pairedRatios(base: RunningTarget, others: readonly RunningTarget[], ctx: ScenarioContext, turns: number, seconds: number): Promise<number[]> {
  for (const t of [base, ...others]) await chatRps(t, ctx, 1);
  const ratios: number[][] = others.map(() => []);
  for (let turn = 0; turn < turns; turn++) {
    for (const [i, t] of others.entries()) {
      const reference = await chatRps(base, ctx, seconds);
      ratios[i]?.push((await chatRps(t, ctx, seconds)) / reference);
    }
  }
  return ratios.map((r) => median(r));
}
