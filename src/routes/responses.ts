/** POST /v1/responses (OpenAI Responses API). */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { handleResponses, type ResponsesDeps } from '../protocols/responses/handle.ts';
import { MemoryResponseStore } from '../protocols/responses/store.ts';

/** The conversation store belongs to this app: made here unless one is given. */
export function responsesRoutes(ctx: GatewayContext, deps: ResponsesDeps = { store: new MemoryResponseStore() }) {
  return new Elysia({ name: 'responses' }).post('/v1/responses', ({ request }) => handleResponses(ctx, deps, request), { parse: 'none' });
}
