/** /proxy/{provider}/{path}: the provider's own API, with the gateway's key, and nothing of the client's. */
import type { GatewayContext } from '../context.ts';
import { Exchange } from '../exchange/exchange.ts';
import { relayRaw } from '../exchange/relay.ts';
import { readLimitedBody } from '../http/body.ts';
import { requireUsableProvider } from '../providers/registry.ts';
import { providerRequest } from '../providers/request.ts';
import { GatewayError } from '../errors.ts';
import { checkProxyPath } from './path.ts';

/** Request headers a client may pass to a provider. Credentials, cookies and hop-by-hop headers never pass. */
const REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'user-agent',
  'anthropic-version',
  'anthropic-beta',
  'openai-beta',
  'openai-organization',
  'openai-project',
  'idempotency-key',
  'x-request-id',
];

/** Response headers passed back. Encoding and length are left to the gateway's own framing. */
const RESPONSE_HEADERS = ['content-type', 'cache-control', 'retry-after', 'request-id', 'x-request-id'];
const RESPONSE_PREFIXES = ['x-ratelimit-', 'anthropic-ratelimit-', 'openai-'];
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function forwardedHeaders(from: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of REQUEST_HEADERS) {
    const value = from.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

function responseHeaders(from: Headers): Headers {
  const out = new Headers();
  from.forEach((value, name) => {
    if (RESPONSE_HEADERS.includes(name) || RESPONSE_PREFIXES.some((p) => name.startsWith(p))) out.set(name, value);
  });
  return out;
}

/** Forwards one proxied request and relays the answer as it arrives. */
export async function forwardProxy(ctx: GatewayContext, request: Request): Promise<Response> {
  const incoming = new URL(request.url);
  // Read from the raw path, not the router's decoded params: what is checked is exactly what is sent.
  const [, , providerId = '', ...rest] = incoming.pathname.split('/');
  const provider = requireUsableProvider(ctx.registry, providerId);
  const path = checkProxyPath(rest.join('/'));
  const url = new URL(`${provider.baseUrl}/${path}`);
  // Belt and braces: whatever the path said, the target stays under the provider's base URL.
  const base = new URL(provider.baseUrl);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new GatewayError(400, 'invalid_request', 'Invalid proxy path: it leaves the provider base URL');
  }
  // Sent as it came; a gateway token passed in the query (as some clients do) is the client's credential: it stays here.
  let query: string | URLSearchParams = incoming.search;
  if (incoming.searchParams.has('access_token')) {
    query = new URLSearchParams(incoming.search);
    query.delete('access_token');
  }
  const body = METHODS_WITH_BODY.has(request.method) ? await readLimitedBody(request, ctx.config.server.maxBodyBytes) : undefined;
  const rec = ctx.telemetry.records.get(request);
  const exchange = new Exchange(ctx.exchanges, {
    provider,
    method: request.method,
    // A raw pass-through: the provider's own status and body come back, errors included.
    request: providerRequest(provider, path, forwardedHeaders(request.headers), query),
    body: body && body.byteLength > 0 ? body : undefined,
    client: request.signal,
  });
  rec?.exchanges.push(exchange.summary);
  const answer = await exchange.openAny();
  const stream = relayRaw(exchange, ctx.telemetry.finishWhenRelayed(rec));
  return new Response(stream, { status: answer.status, headers: responseHeaders(answer.headers) });
}
