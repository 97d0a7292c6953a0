/**
 * The URL and headers of any request to a provider, built from its row in one way: the key where its
 * auth_type says (bearer → Authorization, xheader → its key header, query → `?key=`, none → nothing), its
 * fixed headers, and the request's own. A client's header (through /proxy or a native route) may replace
 * a fixed header (a newer `anthropic-version`), never the key.
 */
import type { Provider } from './registry.ts';

/** Where a request goes and what it carries. */
export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
}

/** The credentials only: header name and value, or the query parameter. */
function credentials(provider: Provider): { header?: [string, string]; query?: [string, string] } {
  const key = provider.apiKey;
  if (!key) return {};
  if (provider.authType === 'bearer') return { header: ['authorization', `Bearer ${key}`] };
  if (provider.authType === 'xheader') return { header: [provider.adapter.keyHeader ?? 'x-api-key', key] };
  if (provider.authType === 'query') return { query: ['key', key] };
  return {};
}

/** Joins the base URL and a path that may carry its own query, then adds `query` and the query key. */
function urlOf(provider: Provider, path: string, query?: URLSearchParams | string): string {
  const url = new URL(provider.baseUrl + (path.startsWith('/') ? path : `/${path}`));
  // A string is a client's raw query (the proxy), kept byte for byte.
  if (typeof query === 'string') url.search = query;
  else if (query) for (const [k, v] of query) url.searchParams.append(k, v);
  const q = credentials(provider).query;
  if (q) url.searchParams.set(q[0], q[1]);
  return url.href;
}

/** The request for `path` with the request's own headers (accept, content-type, what a client may pass on). */
export function providerRequest(provider: Provider, path: string, own: Readonly<Record<string, string>>, query?: URLSearchParams | string): ProviderRequest {
  const headers: Record<string, string> = { ...provider.adapter.fixedHeaders, ...own };
  const header = credentials(provider).header;
  if (header) headers[header[0]] = header[1];
  return { url: urlOf(provider, path, query), headers };
}
