/** POST /v1/embeddings (OpenAI shape). */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { handleEmbeddings } from '../protocols/embeddings-handle.ts';

/** The embeddings route. */
export function embeddingsRoutes(ctx: GatewayContext) {
  return new Elysia({ name: 'embeddings' }).post('/v1/embeddings', ({ request }) => handleEmbeddings(ctx, request), { parse: 'none' });
}
