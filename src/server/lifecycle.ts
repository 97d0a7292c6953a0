/**
 * The hooks every request passes through, in one plugin: request ids, the record telemetry logs and
 * measures, and the connection timeouts. Each per-request hook is paid by every request, so there are
 * two (onStart runs once): no after-response hook (Elysia runs those through a setImmediate per request,
 * which also delayed a streamed first chunk), and no hook asks for `server` (see ConnectionTimeouts). A
 * request that ends in an error is finished by `finishWithError`, from the app's one error handler.
 */
import { Elysia } from 'elysia';
import type { ErrorRenderer, GatewayError } from '../errors.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';
import type { ConnectionTimeouts } from './timeouts.ts';

/** Mounted first, so every route (and every error) is seen. */
export function requestLifecycle(telemetry: Telemetry, timeouts: ConnectionTimeouts) {
  return new Elysia({ name: 'request-lifecycle' })
    .onStart(({ server }) => timeouts.attach(server))
    .onRequest(({ request }) => {
      telemetry.records.start(request, 'unmatched');
      timeouts.arrived(request);
    })
    // Stamped on the route's own Response: `set.headers` would make Elysia copy every response to merge it.
    .onAfterHandle({ as: 'global' }, ({ request, response, route, set }) => {
      timeouts.responding(request);
      const rec = telemetry.records.get(request);
      if (!rec) return;
      rec.route = route;
      if (response instanceof Response) {
        if (!rec.stamped) response.headers.set('x-request-id', rec.id);
        rec.status ??= response.status;
      } else rec.status ??= Number(set.status ?? 200);
      // A relayed stream is still flowing: its relay finishes the record when it ends.
      if (!rec.deferred) telemetry.finish(rec);
    });
}

/** For the app's error handler: renders the error, notes its code and reason, stamps the response and ends the request's record. */
export function finishWithError(
  telemetry: Telemetry,
  timeouts: ConnectionTimeouts,
  request: Request,
  route: string | undefined,
  err: GatewayError,
  render: ErrorRenderer,
): Response {
  timeouts.responding(request);
  const response = render(err);
  const rec = telemetry.records.get(request);
  if (!rec) return response;
  if (route) rec.route = route;
  rec.status = response.status;
  telemetry.failed(rec, err);
  // An error replaces the route's Response, so its id is always set here.
  response.headers.set('x-request-id', rec.id);
  if (!rec.deferred) telemetry.finish(rec);
  return response;
}
