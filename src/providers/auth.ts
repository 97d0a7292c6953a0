/** Puts a provider's key where its auth_type says: one function for every provider. */
import type { Provider } from './registry.ts';

/** The headers a provider's calls always carry: its fixed headers, then its key header (if any). */
export function authHeaders(provider: Provider): Record<string, string> {
  const out: Record<string, string> = { ...provider.adapter.fixedHeaders };
  const key = provider.apiKey;
  if (!key) return out;
  if (provider.authType === 'bearer') out.authorization = `Bearer ${key}`;
  else if (provider.authType === 'xheader') out[provider.adapter.keyHeader ?? 'x-api-key'] = key;
  return out;
}

/** Adds the provider's key to the URL when its auth type puts it there. */
export function authorizeUrl(provider: Provider, url: URL): void {
  if (provider.authType === 'query' && provider.apiKey) url.searchParams.set('key', provider.apiKey);
}

/** Adds the provider's credentials to an outgoing request's headers and URL. */
export function applyAuth(provider: Provider, url: URL, headers: Headers): void {
  const fixed = provider.adapter.fixedHeaders ?? {};
  for (const [name, value] of Object.entries(authHeaders(provider))) {
    // A client's own value (e.g. a newer anthropic-version through /proxy) wins over a fixed header, never over the key.
    if (name in fixed && headers.has(name)) continue;
    headers.set(name, value);
  }
  authorizeUrl(provider, url);
}
