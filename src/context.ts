/** What every route needs, built once per app from the config. */
import type { ModelPolicy } from './chat/policy.ts';
import type { Config } from './config.ts';
import type { ExchangeDeps } from './exchange/exchange.ts';
import type { RequestBodies } from './http/body.ts';
import type { Registry } from './providers/registry.ts';
import type { RoutingFeature } from './routing/feature.ts';
import type { Logger } from './telemetry/log.ts';
import type { Telemetry } from './telemetry/telemetry.ts';

export interface GatewayContext {
  config: Config;
  registry: Registry;
  policy: ModelPolicy;
  logger: Logger;
  telemetry: Telemetry;
  /** The bounds of every exchange with a provider, and where dropped stream events are reported. */
  exchanges: ExchangeDeps;
  /** JSON request bodies, read once per request (the limits check and the route share the read). */
  bodies: RequestBodies;
  /** Aliases and failover, when ROUTING_CONFIG_PATH is set. */
  routing?: RoutingFeature;
}
