/**
 * The features goal measured side by side: the default binary and the one with MCP, auth and telemetry
 * on run at once (one idles while the other is loaded) and take turns under the same non-stream load.
 * This machine's speed shifts from one second to the next (other VMs on the host), in steps of up to
 * ±30%; the best turn of each (the method before) swung 8–23% between runs of the same code. Each turn
 * of `features` is compared with the `binary` turn just before it, and the median of those ratios taken.
 */
import { runLoad } from './load.ts';
import { median } from './report.ts';
import { chatBody, type ScenarioContext } from './scenarios.ts';
import type { RunningTarget } from './targets.ts';

/** 1 − the median over `turns` of features/binary requests/s, each pair loaded back to back. */
export async function pairedDrop(binary: RunningTarget, features: RunningTarget, ctx: ScenarioContext, turns: number, seconds: number): Promise<number> {
  const rps = async (t: RunningTarget, durationSec: number) => {
    const r = await runLoad(
      ctx.tool,
      { port: t.port, method: 'POST', path: '/v1/chat/completions', headers: t.headers, body: chatBody(t, ctx.upstreamModel, false), connections: ctx.settings.connections, durationSec },
      ctx.loadPin,
    );
    if (r.errors + r.non2xx > 0) throw new Error(`${t.name}: ${r.errors} errors, ${r.non2xx} non-2xx in the paired load`);
    return r.rps;
  };
  await rps(binary, 1);
  await rps(features, 1);
  const ratios: number[] = [];
  for (let turn = 0; turn < turns; turn++) {
    const b = await rps(binary, seconds);
    ratios.push((await rps(features, seconds)) / b);
  }
  return 1 - median(ratios);
}
