/**
 * Anthropic's error body, `{"type":"error","error":{"type":...,"message":...}}`, for the /v1/messages
 * routes: Anthropic clients read `error.type` and `error.message` (https://docs.anthropic.com/en/api/errors).
 */
import type { ErrorRenderer } from '../../errors.ts';

/** Anthropic's error types. */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** The error type Anthropic uses for an HTTP status; other 4xx are invalid requests, other 5xx api errors. */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/** The body for a status and message. */
export function anthropicErrorBody(status: number, message: string): { type: 'error'; error: { type: AnthropicErrorType; message: string } } {
  return { type: 'error', error: { type: anthropicErrorType(status), message } };
}

/** A complete error response in Anthropic's shape. */
export function anthropicErrorResponse(status: number, message: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(anthropicErrorBody(status, message)), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The renderer for the gateway's one error path on the /v1/messages routes. */
export const renderAnthropicError: ErrorRenderer = (err) => anthropicErrorResponse(err.status, err.message, err.headers);

/** The renderer for a request: Anthropic's shape on /v1/messages*, the spec's everywhere else. */
export function rendererFor(request: Request, fallback: ErrorRenderer): ErrorRenderer {
  const url = request.url;
  // Only errors pay for this, and only the path is looked at.
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  return path === '/v1/messages' || path.startsWith('/v1/messages/') || path.startsWith('/v1/messages?') ? renderAnthropicError : fallback;
}
