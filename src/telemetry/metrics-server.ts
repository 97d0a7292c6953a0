/** The Prometheus endpoint on its own listener (TELEMETRY_METRICS_PORT), so it is never behind auth. */
import type { Server } from 'bun';
import { errorResponse, MESSAGES } from '../errors.ts';
import type { GatewayMetrics } from './metrics.ts';

/** Serves GET /metrics; everything else is 404 in the spec's error shape. */
export function startMetricsServer(metrics: GatewayMetrics, hostname: string, port: number): Server<undefined> {
  return Bun.serve({
    hostname,
    port,
    async fetch(req) {
      const { pathname } = new URL(req.url);
      if (pathname !== '/metrics' || req.method !== 'GET') return errorResponse(404, MESSAGES.notFound);
      return new Response(await metrics.expose(), { headers: { 'content-type': metrics.contentType } });
    },
  });
}
