/** Routing as createApp mounts it (ROUTING_CONFIG_PATH): the feature, its metrics, and the SIGHUP reload. */
import type { GatewayContext } from '../context.ts';
import type { RoutingEvent } from './engine.ts';
import { RoutingFeature } from './feature.ts';
import { RoutingMetrics } from './metrics.ts';

/** Routing for one app, and how to stop listening for reloads. */
export interface MountedRouting {
  feature: RoutingFeature;
  /** Starts reloading the file on SIGHUP (the app started listening). */
  listen(): void;
  stop(): void;
}

/** Reads the routing file (a ConfigError when unusable) and wires metrics. */
export function mountRouting(ctx: GatewayContext, path: string): MountedRouting {
  let metrics: RoutingMetrics | undefined;
  // Without metrics nobody listens: no events are built (each is an allocation per request).
  const onEvent = ctx.telemetry.metrics ? (e: RoutingEvent) => metrics?.observe(e) : undefined;
  const feature = new RoutingFeature(ctx, { path, onEvent });
  if (ctx.telemetry.metrics) metrics = new RoutingMetrics(ctx.telemetry.metrics.registry, () => feature.breakers());
  const reload = () => void feature.reload();
  return {
    feature,
    listen: () => process.on('SIGHUP', reload),
    stop: () => process.off('SIGHUP', reload),
  };
}
