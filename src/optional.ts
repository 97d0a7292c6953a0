/**
 * The optional parts, loaded on first use: a gateway with MCP, metrics, auth, limits or routing off never pays
 * their import cost (the MCP SDK alone is ~80 ms and ~13 MB at start-up). `require` stays lazy in the
 * compiled binary too.
 */
import type * as Auth from './auth/plugin.ts';
import type * as Limits from './limits/plugin.ts';
import type * as Mcp from './mcp/feature.ts';
import type * as Routing from './routing/mount.ts';
import type * as Metrics from './telemetry/metrics.ts';
import type * as MetricsServer from './telemetry/metrics-server.ts';

export const loadMcp = (): typeof Mcp => require('./mcp/feature.ts') as typeof Mcp;
export const loadAuth = (): typeof Auth => require('./auth/plugin.ts') as typeof Auth;
export const loadRouting = (): typeof Routing => require('./routing/mount.ts') as typeof Routing;
export const loadLimits = (): typeof Limits => require('./limits/plugin.ts') as typeof Limits;
export const loadMetrics = (): typeof Metrics => require('./telemetry/metrics.ts') as typeof Metrics;
export const loadMetricsServer = (): typeof MetricsServer => require('./telemetry/metrics-server.ts') as typeof MetricsServer;
