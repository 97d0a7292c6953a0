/** The steps every protocol route shares before a provider is called: body, model → provider, policy. */
import { clientOf } from '../chat/handle.ts';
import type { ChatClient } from '../chat/forward.ts';
import { resolveModel } from '../chat/resolve.ts';
import type { GatewayContext } from '../context.ts';
import { parseJsonBody, readLimitedText } from '../http/body.ts';
import { requireUsableProvider, type Provider } from '../providers/registry.ts';
import { describe } from '../telemetry/request-record.ts';

/** The parsed body, under SERVER_MAX_BODY_SIZE. */
export async function readJson(ctx: GatewayContext, request: Request): Promise<unknown> {
  return parseJsonBody(await readLimitedText(request, ctx.config.server.maxBodyBytes));
}

/** Where a request goes: the provider, the model as it knows it, and the client for the exchanges. */
export interface ProtocolTarget {
  provider: Provider;
  model: string;
  client: ChatClient;
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
