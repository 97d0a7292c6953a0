/** The steps every protocol route shares before a provider is called: body, model → provider, policy. */
import { clientOf } from '../chat/handle.ts';
import type { ChatClient } from '../chat/forward.ts';
import { resolveModel } from '../chat/resolve.ts';
import type { GatewayContext } from '../context.ts';
import { parseJsonBody } from '../http/body.ts';
import { requireUsableProvider, type Provider } from '../providers/registry.ts';
import type { Route } from '../routing/config.ts';
import { describe } from '../telemetry/request-record.ts';

/** The parsed body, under SERVER_MAX_BODY_SIZE. */
export async function readJson(ctx: GatewayContext, request: Request): Promise<unknown> {
  return parseJsonBody(await ctx.bodies.text(request));
}

/** Where a request goes: the provider, the model as it knows it, and the client for the exchanges. */
export interface ProtocolTarget {
  provider: Provider;
  model: string;
  client: ChatClient;
}

/** A routing alias: its deployments are picked, checked and failed over by routing. */
export interface AliasTarget {
  alias: Route;
  client: ChatClient;
}

/** What a protocol route sends to. */
export type Target = ProtocolTarget | AliasTarget;

/** Like resolveTarget, where a routing alias may stand for the model (routes that translate to chats). */
export function resolveChatTarget(ctx: GatewayContext, request: Request, route: string, model: string, stream: boolean): Target {
  const providerParam = new URL(request.url).searchParams.get('provider');
  const alias = ctx.routing?.aliasRoute(model, providerParam);
  if (!alias) return resolveTarget(ctx, request, route, model, stream);
  // ALLOWED_MODELS / DISALLOWED_MODELS apply to the alias the client sent.
  ctx.routing!.checkAlias(model);
  const client = clientOf(ctx, request);
  describe(client.rec, { route, provider: alias.deployments[0]?.provider ?? '', model, stream });
  return { alias, client };
}

/** Resolves `provider/model` (or `?provider=`), applies the model policy, and labels the request's record. */
export function resolveTarget(ctx: GatewayContext, request: Request, route: string, model: string, stream: boolean): ProtocolTarget {
  const providerParam = new URL(request.url).searchParams.get('provider');
  const target = resolveModel(ctx.registry, model, providerParam);
  ctx.policy.check(target.providerId, target.model);
  const provider = requireUsableProvider(ctx.registry, target.providerId);
  const client = clientOf(ctx, request);
  describe(client.rec, { route, provider: provider.id, model: target.model, stream });
  return { provider, model: target.model, client };
}
