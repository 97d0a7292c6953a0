/** Puts a provider's key where its auth_type says: one function for every provider. */
import type { Provider } from './registry.ts';

/** Adds the provider's credentials to an outgoing request's headers and URL. */
export function applyAuth(provider: Provider, url: URL, headers: Headers): void {
  // A client's own value (e.g. a newer anthropic-version through /proxy) wins over the default.
  for (const [name, value] of Object.entries(provider.adapter.fixedHeaders ?? {})) if (!headers.has(name)) headers.set(name, value);
  const key = provider.apiKey;
  if (!key) return;
  switch (provider.authType) {
    case 'bearer':
      headers.set('authorization', `Bearer ${key}`);
      return;
    case 'xheader':
      headers.set(provider.adapter.keyHeader ?? 'x-api-key', key);
      return;
    case 'query':
      url.searchParams.set('key', key);
      return;
    case 'none':
      return;
  }
}
