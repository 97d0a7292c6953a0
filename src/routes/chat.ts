/** POST /v1/chat/completions */
import { Elysia } from 'elysia';
import { forwardChat } from '../chat/forward.ts';
import { clientOf, prepareChat, type PreparedChat } from '../chat/handle.ts';
import type { GatewayContext } from '../context.ts';

/** Runs a prepared chat; the MCP plugin swaps in its agent loop, the default relays one call. */
export type ChatRunner = (ctx: GatewayContext, chat: PreparedChat, request: Request) => Promise<Response>;

const relayOnce: ChatRunner = (ctx, chat, request) => forwardChat(ctx, chat.provider, chat.body, clientOf(ctx, request));

export function chatRoutes(ctx: GatewayContext, run: ChatRunner = relayOnce) {
  return new Elysia({ name: 'chat' }).post(
    '/v1/chat/completions',
    async ({ request, query }) => run(ctx, await prepareChat(ctx, request, query.provider ?? null), request),
    // The body is read by prepareChat, under the size limit, and validated there against the spec.
    { parse: 'none' },
  );
}
