/** POST /v1/messages and POST /v1/messages/count_tokens (Anthropic Messages API). */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { handleCountTokens, handleMessages } from '../protocols/anthropic/handle.ts';

/** The Anthropic routes; errors on them are rendered in Anthropic's shape by the app (rendererFor). */
export function messagesRoutes(ctx: GatewayContext) {
  return (
    new Elysia({ name: 'messages' })
      // Bodies are read by the handlers, under the size limit, and checked there.
      .post('/v1/messages', ({ request }) => handleMessages(ctx, request), { parse: 'none' })
      .post('/v1/messages/count_tokens', ({ request }) => handleCountTokens(ctx, request), { parse: 'none' })
  );
}
