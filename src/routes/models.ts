/** GET /v1/models */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { listModels } from '../models/list.ts';
import type { RoutingFeature } from '../routing/feature.ts';

/** With routing on, the aggregate list also has each alias (owned by the gateway, served by its providers). */
export function modelsRoutes(ctx: GatewayContext, routing?: RoutingFeature) {
  return new Elysia({ name: 'models' }).get('/v1/models', async ({ request, query }) =>
    Response.json(await listModels(ctx, query.provider ?? null, request.signal, routing?.models())),
  );
}
