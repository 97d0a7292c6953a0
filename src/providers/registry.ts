/** The provider table: the spec's rows joined with their env settings and, where one exists, an adapter. */
import type { Config } from '../config.ts';
import { GatewayError, MESSAGES } from '../errors.ts';
import { createUpstreamSession } from '../exchange/session.ts';
import { PROVIDER_ROWS, type AuthType } from '../spec.ts';
import type { ProviderAdapter } from './adapter.ts';
import { ADAPTERS } from './adapters.ts';

/** A provider ready to be called. Built per app: nothing in it is shared between apps. */
export interface Provider {
  id: string;
  authType: AuthType;
  supportsVision: boolean;
  /** Base URL with no trailing slash and placeholders filled. */
  baseUrl: string;
  apiKey?: string;
  endpoints: { models: string; chat: string };
  adapter: ProviderAdapter;
  /** Has a key, or needs none. */
  usable: boolean;
  /** `<ID>_API_URL` was set (the default ollama URL is a guess, not a configured provider). */
  urlSet: boolean;
  /** Its own connection pool, shaped by the CLIENT_* settings. */
  session: Bun.FetchSession;
}

export type Registry = ReadonlyMap<string, Provider>;

/** The env variable that holds a provider's key. */
export const keyVariable = (id: string) => `${id.toUpperCase()}_API_KEY`;

/** Builds the registry from the config; every spec provider is present, usable or not. */
export function buildRegistry(config: Config): Registry {
  const settings = new Map(config.providers.map((p) => [p.id, p]));
  const registry = new Map<string, Provider>();
  for (const row of PROVIDER_ROWS) {
    const s = settings.get(row.id);
    const apiKey = s?.apiKey;
    let baseUrl = (s?.url ?? row.url).replace(/\/+$/, '');
    if (config.cloudflareAccountId) baseUrl = baseUrl.replace('{ACCOUNT_ID}', encodeURIComponent(config.cloudflareAccountId));
    registry.set(row.id, {
      id: row.id,
      authType: row.authType,
      supportsVision: row.supportsVision,
      baseUrl,
      apiKey,
      endpoints: row.endpoints,
      adapter: ADAPTERS[row.id] ?? {},
      usable: row.authType === 'none' || Boolean(apiKey),
      urlSet: (s as { urlSet?: boolean } | undefined)?.urlSet === true,
      session: createUpstreamSession(config.client),
    });
  }
  return registry;
}

/** Finds a provider by id (case-insensitive) or fails with the text users know. */
export function requireProvider(registry: Registry, id: string): Provider {
  const provider = registry.get(id.toLowerCase());
  if (!provider) throw new GatewayError(400, 'provider_unknown', MESSAGES.unknownProvider, { reason: `no provider "${id}"` });
  return provider;
}

/** Like requireProvider, and the provider must have its key. */
export function requireUsableProvider(registry: Registry, id: string): Provider {
  const provider = requireProvider(registry, id);
  if (!provider.usable) throw new GatewayError(400, 'provider_not_configured', MESSAGES.missingKey, { reason: `set ${keyVariable(provider.id)}` });
  return provider;
}
