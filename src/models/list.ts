/** GET /v1/models: one provider's list, or every usable provider's, within a deadline. */
import type { GatewayContext } from '../context.ts';
import { GatewayError, MESSAGES } from '../errors.ts';
import { Exchange } from '../exchange/exchange.ts';
import { mapOpenAIModels } from '../providers/models/openai-shaped.ts';
import { requireUsableProvider, type Provider } from '../providers/registry.ts';
import { providerRequest } from '../providers/request.ts';
import type { Model } from '../schemas.ts';

/** Pages followed at most, so a provider that always says "more" cannot hold a request forever. */
const MAX_PAGES = 20;
const MAX_LIST_BYTES = 16 * 1024 * 1024;

export interface ModelList {
  provider?: string;
  object: 'list';
  data: Model[];
}

const ASK_JSON = { accept: 'application/json' } as const;

/** Fetches and maps every page of one provider's model list. */
async function fetchProviderModels(ctx: GatewayContext, provider: Provider, signal: AbortSignal): Promise<Model[]> {
  const map = provider.adapter.mapModels ?? mapOpenAIModels;
  const timeoutMs = Math.min(ctx.exchanges.timeouts.timeoutMs, ctx.config.client.modelsListTimeoutMs);
  const models: Model[] = [];
  let query: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const exchange = new Exchange(ctx.exchanges, {
      provider,
      method: 'GET',
      request: providerRequest(provider, provider.endpoints.models, ASK_JSON, query ? new URLSearchParams(query) : undefined),
      client: signal,
      timeouts: { timeoutMs },
    });
    await exchange.open();
    const { json } = await exchange.json(MAX_LIST_BYTES);
    const result = map(json, provider.id);
    models.push(...result.models);
    query = result.nextQuery;
    if (!query) break;
  }
  return models;
}

/** Lists models, filtered by the model policy. */
export async function listModels(ctx: GatewayContext, providerParam: string | null, signal: AbortSignal, aliases: Model[] = []): Promise<ModelList> {
  const keep = (m: Model) => ctx.policy.refusal(m.served_by, m.id.slice(m.served_by.length + 1)) === undefined;
  // An alias is judged by its own name, as its chats are.
  const keepAlias = (m: Model) => ctx.policy.refusal('', m.id) === undefined;
  if (providerParam !== null && providerParam !== '') {
    const provider = requireUsableProvider(ctx.registry, providerParam);
    try {
      const models = await fetchProviderModels(ctx, provider, signal);
      return { provider: provider.id, object: 'list', data: models.filter(keep) };
    } catch (err) {
      if (err instanceof GatewayError && (err.code === 'client_gone' || err.status === 504)) throw err;
      const reason = err instanceof GatewayError ? (err.reason ?? err.message) : String(err);
      throw new GatewayError(502, err instanceof GatewayError ? err.code : 'upstream_invalid', MESSAGES.listFailed, { cause: err, reason: `model list of ${provider.id}: ${reason}` });
    }
  }
  return { object: 'list', data: [...aliases.filter(keepAlias), ...(await listAll(ctx, signal)).filter(keep)] };
}

/** Every usable provider at once; the slow and the failing are logged and left out. */
async function listAll(ctx: GatewayContext, clientSignal: AbortSignal): Promise<Model[]> {
  const deadline = AbortSignal.timeout(ctx.config.client.modelsListTimeoutMs);
  const signal = AbortSignal.any([clientSignal, deadline]);
  // The default ollama URL is a guess: it is asked only when OLLAMA_API_URL was set.
  const providers = [...ctx.registry.values()].filter((p) => p.usable && (p.authType !== 'none' || p.urlSet));
  const results = await Promise.allSettled(providers.map((p) => fetchProviderModels(ctx, p, signal)));
  const data: Model[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') data.push(...r.value);
    else {
      const reason = deadline.aborted ? 'no answer within MODELS_LIST_TIMEOUT' : r.reason instanceof GatewayError ? (r.reason.reason ?? r.reason.message) : String(r.reason);
      const code = r.reason instanceof GatewayError ? r.reason.code : 'upstream_invalid';
      ctx.logger.warn('model list failed; provider left out', { provider: providers[i]?.id, error_code: code, reason });
    }
  });
  return data;
}
