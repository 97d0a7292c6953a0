/** One call to a provider endpoint with its auth, mapping failures to the gateway's errors. */
import { GatewayError } from '../errors.ts';
import type { Provider } from '../providers/registry.ts';
import { callUpstream, readAll, type UpstreamCall, type UpstreamRequest, type UpstreamTimeouts } from './client.ts';
import { upstreamErrorMessage } from './error-body.ts';

const MAX_ERROR_BODY = 64 * 1024;
/** Response headers worth passing back from a provider's error (rate limiting). */
const ERROR_HEADERS = ['retry-after', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'];

/** Calls the provider (the request already carries its credentials); a non-2xx answer becomes a GatewayError with its status. */
export async function callProvider(provider: Provider, req: UpstreamRequest, timeouts: UpstreamTimeouts): Promise<UpstreamCall> {
  const call = await callUpstream({ ...req, session: provider.session }, timeouts);
  if (call.response.ok) return call;
  const { status } = call.response;
  let bytes: Uint8Array;
  try {
    bytes = await readAll(call, timeouts.timeoutMs, MAX_ERROR_BODY);
  } catch {
    bytes = new Uint8Array();
  }
  const headers: Record<string, string> = {};
  for (const name of ERROR_HEADERS) {
    const value = call.response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  // Redirects are not followed (they could lead anywhere); a 1xx/3xx is reported as a bad gateway.
  const clientStatus = status >= 400 && status <= 599 ? status : 502;
  throw new GatewayError(clientStatus, upstreamErrorMessage(provider.id, status, bytes, provider.apiKey), headers);
}
