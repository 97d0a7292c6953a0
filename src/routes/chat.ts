/** POST /v1/chat/completions */
import { Elysia } from 'elysia';
import { forwardChat } from '../chat/forward.ts';
import { clientOf, prepareChat, type PreparedChat } from '../chat/handle.ts';
import type { GatewayContext } from '../context.ts';
import type { RoutingFeature } from '../routing/feature.ts';

/** Runs a prepared chat; the MCP plugin swaps in its agent loop, the default relays one call. */
export type ChatRunner = (ctx: GatewayContext, chat: PreparedChat, request: Request) => Promise<Response>;

/** One exchange with the chat's provider. */
export const relayOnce: ChatRunner = (ctx, chat, request) => forwardChat(ctx, chat.provider, chat.body, clientOf(ctx, request));

/** With routing on, a plain `provider/model` chat is a one-deployment route with the file's defaults. */
export function routedRunner(routing: RoutingFeature): ChatRunner {
  return (ctx, chat, request) => routing.serve(routing.plainRoute(chat.provider.id, chat.body.model), chat.body, clientOf(ctx, request));
}

/** `run` serves chats of one provider (MCP swaps in its agent loop); an alias goes to routing. */
export function chatRoutes(ctx: GatewayContext, run: ChatRunner = relayOnce, routing?: RoutingFeature) {
  return new Elysia({ name: 'chat' }).post(
    '/v1/chat/completions',
    async ({ request, query }) => {
      const chat = await prepareChat(ctx, request, query.provider ?? null, routing);
      return 'alias' in chat ? routing!.serve(chat.alias, chat.body, clientOf(ctx, request)) : run(ctx, chat, request);
    },
    // The body is read by prepareChat, under the size limit, and validated there against the spec.
    { parse: 'none' },
  );
}
