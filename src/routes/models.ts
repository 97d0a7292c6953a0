/** GET /v1/models */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { listModels } from '../models/list.ts';

export function modelsRoutes(ctx: GatewayContext) {
  return new Elysia({ name: 'models' }).get('/v1/models', async ({ request, query }) =>
    Response.json(await listModels(ctx, query.provider ?? null, request.signal)),
  );
}
