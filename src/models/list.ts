/** GET /v1/models: one provider's list, or every usable provider's, within a deadline. */
import type { GatewayContext } from '../context.ts';
import { GatewayError, MESSAGES } from '../errors.ts';
import { applyAuth } from '../providers/auth.ts';
import { mapOpenAIModels } from '../providers/models/openai-shaped.ts';
import { providerUrl, requireUsableProvider, type Provider } from '../providers/registry.ts';
import type { Model } from '../schemas.ts';
import { ClientGoneError, readAll } from '../upstream/client.ts';
import { callProvider } from '../upstream/provider-call.ts';

/** Pages followed at most, so a provider that always says "more" cannot hold a request forever. */
const MAX_PAGES = 20;
const MAX_LIST_BYTES = 16 * 1024 * 1024;

export interface ModelList {
  provider?: string;
  object: 'list';
  data: Model[];
}

/** Fetches and maps every page of one provider's model list. */
async function fetchProviderModels(ctx: GatewayContext, provider: Provider, signal: AbortSignal): Promise<Model[]> {
  const map = provider.adapter.mapModels ?? mapOpenAIModels;
  const timeouts = { ...ctx.timeouts, timeoutMs: Math.min(ctx.timeouts.timeoutMs, ctx.config.client.modelsListTimeoutMs) };
  const models: Model[] = [];
  let query: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = providerUrl(provider, provider.endpoints.models);
    if (query) for (const [k, v] of new URLSearchParams(query)) url.searchParams.set(k, v);
    const headers = new Headers({ accept: 'application/json' });
    applyAuth(provider, url, headers);
    const call = await callProvider(provider, { url, method: 'GET', headers, client: signal }, timeouts);
    const bytes = await readAll(call, timeouts.timeoutMs, MAX_LIST_BYTES);
    const result = map(JSON.parse(new TextDecoder().decode(bytes)), provider.id);
    models.push(...result.models);
    query = result.nextQuery;
    if (!query) break;
  }
  return models;
}

/** Lists models, filtered by the model policy. */
export async function listModels(ctx: GatewayContext, providerParam: string | null, signal: AbortSignal): Promise<ModelList> {
  const keep = (m: Model) => ctx.policy.refusal(m.served_by, m.id.slice(m.served_by.length + 1)) === undefined;
  if (providerParam !== null && providerParam !== '') {
    const provider = requireUsableProvider(ctx.registry, providerParam);
    try {
      const models = await fetchProviderModels(ctx, provider, signal);
      return { provider: provider.id, object: 'list', data: models.filter(keep) };
    } catch (err) {
      if (err instanceof ClientGoneError) throw err;
      ctx.logger.warn('model list failed', { provider: provider.id, error: err });
      if (err instanceof GatewayError && err.status === 504) throw err;
      throw new GatewayError(502, MESSAGES.listFailed);
    }
  }
  return { object: 'list', data: (await listAll(ctx, signal)).filter(keep) };
}

/** Every usable provider at once; the slow and the failing are logged and left out. */
async function listAll(ctx: GatewayContext, clientSignal: AbortSignal): Promise<Model[]> {
  const deadline = AbortSignal.timeout(ctx.config.client.modelsListTimeoutMs);
  const signal = AbortSignal.any([clientSignal, deadline]);
  const providers = [...ctx.registry.values()].filter((p) => p.usable);
  const results = await Promise.allSettled(providers.map((p) => fetchProviderModels(ctx, p, signal)));
  const data: Model[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') data.push(...r.value);
    else {
      const error = deadline.aborted ? 'no answer within MODELS_LIST_TIMEOUT' : r.reason;
      ctx.logger.warn('model list failed; provider left out', { provider: providers[i]?.id, error });
    }
  });
  return data;
}
