/** The one error type of the gateway and the one place that turns any failure into `{"error": ...}`. */

/** Texts users of the Go gateway already see; kept byte for byte. */
export const MESSAGES = {
  noProvider:
    'Unable to determine provider for model. Please specify a provider using the ?provider= query parameter or use the provider/model format (e.g., openai/gpt-4).',
  unknownProvider: 'Provider not found. Please check the list of supported providers.',
  missingKey: "Provider requires an API key. Please configure the provider's API key.",
  notAllowed: 'Model not allowed. Please check the list of allowed models.',
  disallowed: 'Model is disallowed. Please use a different model.',
  timeout: 'Request timed out',
  notFound: 'Requested route is not found',
  mcpNotExposed: 'MCP tools endpoint is not exposed. Set EXPOSE_MCP=true to enable.',
  tooLarge: 'Request body too large',
  unreachable: 'Failed to reach upstream server',
  listFailed: 'Failed to list models',
  internal: 'Internal server error',
} as const;

/**
 * Stable codes: what logs, metrics (`error_type`) and routing decide on. Clients see the message; an
 * operator reads the code and the reason.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'body_too_large'
  | 'not_found'
  | 'unauthorized'
  | 'auth_unavailable'
  | 'forbidden'
  | 'model_not_allowed'
  | 'provider_unknown'
  | 'provider_not_configured'
  | 'provider_unsupported'
  | 'rate_limited'
  | 'limits_unavailable'
  | 'store_unavailable'
  | 'upstream_unreachable'
  | 'upstream_timeout_headers'
  | 'upstream_timeout_body'
  | 'upstream_timeout_stream'
  | 'upstream_timeout_first_token'
  | 'upstream_error'
  | 'upstream_invalid'
  | 'upstream_too_large'
  | 'upstream_stream_cut'
  | 'upstream_stream_error'
  | 'client_gone'
  | 'internal';

export interface GatewayErrorOptions {
  /** What went wrong underneath (a system error, the provider's answer). */
  cause?: unknown;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
  /** For the operator's log line: host and system error, the variable to set, the timeout phase. Never a secret. */
  reason?: string;
  /** The provider's own status, when the error is its answer. */
  upstreamStatus?: number;
  /** The provider's own error code (`context_length_exceeded`), when it gave one. */
  upstreamCode?: string;
}

/** Anything the gateway refuses or fails at; `status` and `message` are what the client sees. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly headers?: Record<string, string>;
  readonly reason?: string;
  readonly upstreamStatus?: number;
  readonly upstreamCode?: string;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    opts: GatewayErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.headers = opts.headers;
    this.reason = opts.reason;
    this.upstreamStatus = opts.upstreamStatus;
    this.upstreamCode = opts.upstreamCode;
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** Builds the spec's error body with the given status. */
export function errorResponse(status: number, message: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS,
  });
}

/** Any thrown value as a GatewayError: unexpected ones become a 500 whose cause is the original. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError(500, 'internal', MESSAGES.internal, { cause: err, reason: describeCause(err) });
}

/** A short, secret-free description of an underlying error (`ECONNREFUSED 127.0.0.1:9`, or its message). */
export function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/** The error shape of a route family: chat and the spec's routes use `{"error": string}`; Anthropic's routes their own. */
export type ErrorRenderer = (err: GatewayError) => Response;

/** The spec's error body. */
export const renderSpecError: ErrorRenderer = (err) => errorResponse(err.status, err.message, err.headers);
