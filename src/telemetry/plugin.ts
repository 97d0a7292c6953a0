/** Request ids, one log line per request, and HTTP metrics: hooks around every route. */
import { Elysia } from 'elysia';
import type { Telemetry } from './telemetry.ts';

/** Mounted first, so every route (and every error) is seen. */
export function telemetryPlugin(telemetry: Telemetry) {
  return new Elysia({ name: 'telemetry' })
    .onRequest(({ request }) => {
      telemetry.records.start(request, 'unmatched');
    })
    // Stamped on the route's own Response: `set.headers` would make Elysia copy every response to merge it.
    .onAfterHandle({ as: 'global' }, ({ request, response }) => {
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
