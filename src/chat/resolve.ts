/** Decides which provider serves a chat and which model name it sees. */
import { GatewayError, MESSAGES } from '../errors.ts';
import type { Registry } from '../providers/registry.ts';

export interface ModelTarget {
  providerId: string;
  /** The model as the provider knows it (no gateway prefix). */
  model: string;
}

/**
 * `?provider=` wins; otherwise the `provider/` prefix (case-insensitive). With `?provider=x`, a model
 * that carries the same `x/` prefix is stripped of it. The rest may hold more slashes.
 */
export function resolveModel(registry: Registry, model: string, providerParam: string | null): ModelTarget {
  const slash = model.indexOf('/');
  const prefix = slash > 0 ? model.slice(0, slash).toLowerCase() : undefined;
  if (providerParam !== null && providerParam !== '') {
    const providerId = providerParam.toLowerCase();
    if (!registry.has(providerId)) throw new GatewayError(400, 'provider_unknown', MESSAGES.unknownProvider, { reason: `no provider "${providerId}"` });
    return { providerId, model: prefix === providerId ? model.slice(slash + 1) : model };
  }
  if (prefix !== undefined && registry.has(prefix)) return { providerId: prefix, model: model.slice(slash + 1) };
  throw new GatewayError(400, 'provider_unknown', MESSAGES.noProvider, { reason: `model "${model}" names no provider` });
}
