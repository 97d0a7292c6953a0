/**
 * The hooks every request passes through, in one plugin: request ids, the record telemetry logs and
 * measures, and the connection timeouts. Each global Elysia hook added to the time before a response's
 * first byte (two plugins with six hooks: ~0.1 ms more to a streamed first chunk than one with three).
 */
import { Elysia } from 'elysia';
import type { Telemetry } from '../telemetry/telemetry.ts';
import type { ConnectionTimeouts } from './timeouts.ts';

/** Mounted first, so every route (and every error) is seen. */
export function requestLifecycle(telemetry: Telemetry, timeouts: ConnectionTimeouts) {
  return new Elysia({ name: 'request-lifecycle' })
    .onRequest(({ request, server }) => {
      telemetry.records.start(request, 'unmatched');
      timeouts.arrived(request, server);
    })
    // Stamped on the route's own Response: `set.headers` would make Elysia copy every response to merge it.
    .onAfterHandle({ as: 'global' }, ({ request, response, server }) => {
      timeouts.responding(request, server);
      const rec = telemetry.records.get(request);
      if (rec && response instanceof Response) response.headers.set('x-request-id', rec.id);
    })
    .onAfterResponse({ as: 'global' }, ({ request, route, set, responseValue }) => {
      const rec = telemetry.records.get(request);
      if (!rec) return;
      rec.route = route || 'unmatched';
      if (rec.status === undefined) rec.status = responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200);
      // A relayed stream is still flowing: its relay finishes the record when it ends.
      if (!rec.deferred) telemetry.finish(rec);
    });
}
