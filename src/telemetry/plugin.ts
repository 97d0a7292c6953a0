/** Request ids, one log line per request, and HTTP metrics: hooks around every route. */
import { Elysia } from 'elysia';
import type { Telemetry } from './telemetry.ts';

/** Mounted first, so every route (and every error) is seen. */
export function telemetryPlugin(telemetry: Telemetry) {
  return new Elysia({ name: 'telemetry' })
    .onRequest(({ request, set }) => {
      const rec = telemetry.records.start(request, 'unmatched');
      set.headers['x-request-id'] = rec.id;
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
