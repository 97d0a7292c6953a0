/**
 * The `features` target's surroundings: an OIDC issuer stand-in (bench/mock-issuer.ts) and an MCP
 * server (bench/mcp-server.ts), started once per bench and pinned with the mock (they are off the hot
 * path after start-up), plus the settings and bearer token the compiled binary gets to run with MCP,
 * auth and telemetry on.
 */
import { join } from 'node:path';
import { BUN, freePort, ROOT, startService, type RunningTarget } from './targets.ts';

const CLIENT_ID = 'inference-gateway-bench';
/** How long the gateway may take to connect to the MCP server and list its tools. */
const TOOLS_DEADLINE_MS = 10_000;

export interface FeatureServices {
  /** Settings for one start of the features target (a fresh metrics port each time). */
  env(): Record<string, string>;
  /** The bearer token every probe and load request carries. */
  headers: Record<string, string>;
  /** Waits until the gateway lists the MCP tools (through auth); returns how many. */
  waitForTools(t: RunningTarget): Promise<number>;
}

/** Starts the issuer and the MCP server; both are killed with the other children when the bench ends. */
export async function startFeatureServices(pin: string[]): Promise<FeatureServices> {
  const [issuer, mcp] = await Promise.all([
    startService<{ issuer: string; token: string }>([...pin, BUN, 'run', join(ROOT, 'bench', 'mock-issuer.ts'), '--port=0', `--client-id=${CLIENT_ID}`], 'issuer'),
    startService<{ url: string }>([...pin, BUN, 'run', join(ROOT, 'bench', 'mcp-server.ts'), '--port=0'], 'mcp-server'),
  ]);
  const headers = { authorization: `Bearer ${issuer.info.token}` };
  return {
    headers,
    env: () => ({
      TELEMETRY_ENABLE: 'true',
      TELEMETRY_METRICS_PORT: String(freePort()),
      AUTH_ENABLE: 'true',
      AUTH_OIDC_ISSUER: issuer.info.issuer,
      AUTH_OIDC_CLIENT_ID: CLIENT_ID,
      MCP_ENABLE: 'true',
      MCP_EXPOSE: 'true',
      MCP_SERVERS: mcp.info.url,
    }),
    waitForTools: (t) => waitForTools(t.port, headers),
  };
}

/**
 * MCP connects in the background, so a fresh gateway first answers chats without tools; measuring then
 * would leave out the cost being measured. The first call also makes the gateway fetch the issuer's
 * discovery document and keys, so that is not in the timed load either.
 */
async function waitForTools(port: number, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  let last = 'no answer';
  while (performance.now() - started < TOOLS_DEADLINE_MS) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/mcp/tools`, { headers });
      const text = await res.text();
      if (res.status === 200) {
        const tools = (JSON.parse(text) as { data?: unknown[] }).data ?? [];
        if (tools.length > 0) return tools.length;
        last = '200 with no tools yet';
      } else {
        last = `${res.status}: ${text.slice(0, 200)}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await Bun.sleep(20);
  }
  throw new Error(`features: the gateway listed no MCP tools within ${TOOLS_DEADLINE_MS / 1000} s (last answer of /v1/mcp/tools: ${last}); see bench/.work/features.stderr.log`);
}
