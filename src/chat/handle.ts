/** The chat request path: body → validation → provider and model → policy → upstream. */
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { parseJsonBody } from '../http/body.ts';
import { requireUsableProvider, type Provider } from '../providers/registry.ts';
import { chatRequestCheck, describeInvalid, type ChatRequest } from '../schemas.ts';
import type { RoutingFeature } from '../routing/feature.ts';
import type { Route } from '../routing/config.ts';
import { describe } from '../telemetry/request-record.ts';
import { logConversation } from './debug-log.ts';
import type { ChatClient } from './forward.ts';
import { checkVision } from './policy.ts';
import { resolveModel } from './resolve.ts';

/** A chat that passed every check, ready for the provider. */
export interface PreparedChat {
  provider: Provider;
  /** The body the provider will see (bare model name). */
  body: ChatRequest;
}

/** A chat for a routing alias: its deployments are chosen and checked by routing. */
export interface AliasChat {
  alias: Route;
  body: ChatRequest;
}

/** Reads and checks a chat request; every refusal is a GatewayError with the right status. */
export async function prepareChat(ctx: GatewayContext, request: Request, providerParam: string | null, routing?: RoutingFeature): Promise<PreparedChat | AliasChat> {
  const raw = parseJsonBody(await ctx.bodies.text(request));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new GatewayError(400, 'invalid_request', 'Invalid request body: expected a JSON object');
  }
  if (!chatRequestCheck.Check(raw)) throw new GatewayError(400, 'invalid_request', describeInvalid(chatRequestCheck, raw));
  const body = raw as ChatRequest;
  if (body.model.trim() === '') throw new GatewayError(400, 'invalid_request', "Invalid request body: 'model' is required");
  const alias = routing?.aliasRoute(body.model, providerParam);
  if (alias) {
    // ALLOWED_MODELS / DISALLOWED_MODELS apply to the alias the client sent.
    routing!.checkAlias(body.model);
    describe(ctx.telemetry.records.get(request), { route: '/v1/chat/completions', provider: alias.deployments[0]?.provider ?? '', model: body.model, stream: body.stream === true });
    return { alias, body };
  }
  const target = resolveModel(ctx.registry, body.model, providerParam);
  ctx.policy.check(target.providerId, target.model);
  const provider = requireUsableProvider(ctx.registry, target.providerId);
  checkVision(ctx.config.enableVision, provider, body.messages);
  // The parsed body is the gateway's own object: renamed in place rather than copied.
  body.model = target.model;
  describe(ctx.telemetry.records.get(request), { route: '/v1/chat/completions', provider: provider.id, model: body.model, stream: body.stream === true });
  logConversation(ctx, request, provider, body);
  return { provider, body };
}

/** The client of a request, for its exchanges: its hang-up ends them. */
export function clientOf(ctx: GatewayContext, request: Request): ChatClient {
  return { signal: request.signal, rec: ctx.telemetry.records.get(request) };
}
