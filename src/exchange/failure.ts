/**
 * What went wrong in an exchange, as a GatewayError with a stable code and a reason an operator can act
 * on (host and system error, which timeout). The client's text stays the one users know.
 */
import { describeCause, GatewayError, MESSAGES } from '../errors.ts';
import { isRecord } from '../json.ts';
import type { Provider } from '../providers/registry.ts';
import { upstreamErrorMessage, upstreamErrorCode } from './error-body.ts';

/** Which wait ran out. */
export type TimeoutPhase = 'headers' | 'body' | 'stream' | 'first_token' | 'stall';

const TIMEOUT_CODES = {
  headers: 'upstream_timeout_headers',
  body: 'upstream_timeout_body',
  stream: 'upstream_timeout_stream',
  first_token: 'upstream_timeout_first_token',
  stall: 'upstream_timeout_stream',
} as const;

const TIMEOUT_REASONS: Record<TimeoutPhase, string> = {
  headers: 'no response headers within CLIENT_RESPONSE_HEADER_TIMEOUT / CLIENT_TIMEOUT',
  body: 'the answer did not finish within CLIENT_TIMEOUT',
  stream: 'no stream data within CLIENT_TIMEOUT',
  first_token: 'no first content within first_token_timeout',
  stall: 'no stream data within stall_timeout',
};

/** The host a provider is reached at (never its path or query: a query may carry the key). */
export function hostOf(provider: Provider): string {
  try {
    return new URL(provider.baseUrl).host;
  } catch {
    return provider.id;
  }
}

/** A deadline ran out. */
export function timeoutError(provider: Provider, phase: TimeoutPhase, ms: number): GatewayError {
  const midStream = phase === 'stream' || phase === 'stall';
  const message = midStream ? 'Upstream stream timed out' : MESSAGES.timeout;
  const status = midStream ? 502 : 504;
  return new GatewayError(status, TIMEOUT_CODES[phase], message, { reason: `${provider.id} at ${hostOf(provider)}: ${TIMEOUT_REASONS[phase]} (${ms}ms)` });
}

/** fetch failed before the headers: refused, unknown host, reset, TLS. */
export function unreachableError(provider: Provider, cause: unknown): GatewayError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const what = typeof code === 'string' ? code : describeCause(cause);
  return new GatewayError(502, 'upstream_unreachable', MESSAGES.unreachable, { cause, reason: `${what} ${hostOf(provider)} (provider ${provider.id})` });
}

/** The body broke off while being read. */
export function cutError(provider: Provider, cause: unknown, streaming: boolean): GatewayError {
  const message = streaming ? 'Upstream connection lost during the stream' : 'Upstream connection failed while reading the response';
  return new GatewayError(502, 'upstream_stream_cut', message, { cause, reason: `${describeCause(cause)} from ${hostOf(provider)} (provider ${provider.id})` });
}

/** The provider answered with an error status: its own words, its status, and its rate-limit headers. */
export function providerError(provider: Provider, status: number, body: Uint8Array, headers: Headers): GatewayError {
  const passed: Record<string, string> = {};
  for (const name of ['retry-after', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests']) {
    const value = headers.get(name);
    if (value !== null) passed[name] = value;
  }
  const message = upstreamErrorMessage(provider.id, status, body, provider.apiKey);
  // Redirects are not followed (they could lead anywhere); a 1xx/3xx is reported as a bad gateway.
  const clientStatus = status >= 400 && status <= 599 ? status : 502;
  return new GatewayError(clientStatus, 'upstream_error', message, {
    headers: passed,
    reason: `${provider.id} answered HTTP ${status}`,
    upstreamStatus: status,
    upstreamCode: upstreamErrorCode(body),
  });
}

/** A provider's error event inside a stream (`{"error": ...}` where a chunk should be), or undefined for a chunk. */
export function streamErrorEvent(json: Record<string, unknown>, providerId: string): GatewayError | undefined {
  const e = json.error;
  if (e === undefined || Array.isArray(json.choices)) return undefined;
  const message = typeof e === 'string' ? e : isRecord(e) && typeof e.message === 'string' ? e.message : 'Provider reported an error in the stream';
  const code = isRecord(e) && typeof e.code === 'string' ? e.code : isRecord(e) && typeof e.type === 'string' ? e.type : undefined;
  return new GatewayError(502, 'upstream_stream_error', message, { reason: `${providerId} sent an error event`, upstreamCode: code });
}

/** The client went away; nothing is left to answer. */
export function clientGoneError(): GatewayError {
  return new GatewayError(499, 'client_gone', 'Client closed request', { reason: 'the client disconnected' });
}
