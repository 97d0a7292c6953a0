/** What every route needs, built once per app from the config. */
import type { ModelPolicy } from './chat/policy.ts';
import type { Config } from './config.ts';
import type { Registry } from './providers/registry.ts';
import type { Logger } from './telemetry/log.ts';
import type { Telemetry } from './telemetry/telemetry.ts';
import type { UpstreamTimeouts } from './upstream/client.ts';

export interface GatewayContext {
  config: Config;
  registry: Registry;
  policy: ModelPolicy;
  logger: Logger;
  telemetry: Telemetry;
  timeouts: UpstreamTimeouts;
}
