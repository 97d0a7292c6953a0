/** POST /v1/messages and POST /v1/messages/count_tokens (Anthropic Messages API). */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { handleCountTokens, handleMessages } from '../protocols/anthropic/handle.ts';

export function messagesRoutes(ctx: GatewayContext) {
  return (
    new Elysia({ name: 'messages' })
      // Bodies are read by the handlers, under the size limit, and checked there.
      .post('/v1/messages', ({ request }) => handleMessages(ctx, request), { parse: 'none' })
      .post('/v1/messages/count_tokens', ({ request }) => handleCountTokens(ctx, request), { parse: 'none' })
  );
}
