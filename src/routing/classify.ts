/**
 * What a failed attempt means for the rest of the request: try the same deployment again, move to the
 * next one at once, or give the provider's answer back to the client. Decided on the error's code and
 * the provider's status, never on message text (except the context-length check, which providers
 * spell only in the message sometimes).
 */
import { GatewayError } from '../errors.ts';

/** `retry`: same deployment after a backoff; `next`: the next deployment now; `client`: no failover; `stop`: the client left. */
export type FailureAction = 'retry' | 'next' | 'client' | 'stop';

/** The decision and whether the failure says something about the deployment's health (its breaker). */
export interface Classified {
  action: FailureAction;
  /** Counts as a failure for the deployment's breaker. */
  unhealthy: boolean;
}

/** Statuses that are usually transient on the same deployment (Envoy's `retriable-status-codes` set, plus 408 and 429). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const CONTEXT_LENGTH = 'context_length_exceeded';
/** How providers without the code word it (OpenAI-compatible servers, Anthropic, Mistral, vLLM). */
const CONTEXT_LENGTH_TEXT = /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long/i;

const RETRY: Classified = { action: 'retry', unhealthy: true };
const NEXT_UNHEALTHY: Classified = { action: 'next', unhealthy: true };
const NEXT_HEALTHY: Classified = { action: 'next', unhealthy: false };
const CLIENT: Classified = { action: 'client', unhealthy: false };
const STOP: Classified = { action: 'stop', unhealthy: false };

/** True when the provider refused because the conversation does not fit its window. */
export function isContextLengthExceeded(err: GatewayError): boolean {
  if (err.upstreamCode === CONTEXT_LENGTH) return true;
  const status = err.upstreamStatus ?? err.status;
  return (status === 400 || status === 413 || status === 422) && CONTEXT_LENGTH_TEXT.test(err.message);
}

/** Classifies a failure that happened before the answer started. */
export function classifyFailure(err: GatewayError): Classified {
  switch (err.code) {
    case 'client_gone':
      return STOP;
    // Connect errors and resets before the answer: the next try on a fresh connection usually works.
    case 'upstream_unreachable':
    case 'upstream_stream_cut':
      return RETRY;
    // A deployment that made us wait once will make us wait again: retrying only multiplies the wait.
    case 'upstream_timeout_headers':
    case 'upstream_timeout_first_token':
    case 'upstream_timeout_stream':
    case 'upstream_timeout_body':
    case 'upstream_invalid':
    case 'upstream_too_large':
    case 'upstream_stream_error':
      return NEXT_UNHEALTHY;
    case 'upstream_error':
      return classifyStatus(err);
    // This deployment cannot take the request (no key, no vision); another may.
    case 'provider_not_configured':
    case 'provider_unsupported':
      return NEXT_HEALTHY;
    default:
      return CLIENT;
  }
}

function classifyStatus(err: GatewayError): Classified {
  const status = err.upstreamStatus ?? err.status;
  if (RETRY_STATUSES.has(status)) return RETRY;
  // A larger window may be one deployment further; the refusing one is healthy.
  if (isContextLengthExceeded(err)) return NEXT_HEALTHY;
  if (status >= 500) return NEXT_UNHEALTHY;
  return CLIENT;
}

/** The provider's Retry-After header, if it sent one. */
export function retryAfterHeader(err: GatewayError): string | undefined {
  const headers = err.headers;
  if (!headers) return undefined;
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'retry-after') return value;
  return undefined;
}
