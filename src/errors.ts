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

/** Anything the gateway refuses or fails at; `status` is what the client sees. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. WWW-Authenticate, Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
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

/** Maps any thrown value to a response; unexpected ones are reported through `onUnexpected`. */
export function toErrorResponse(err: unknown, onUnexpected: (err: unknown) => void): Response {
  if (err instanceof GatewayError) return errorResponse(err.status, err.message, err.headers);
  onUnexpected(err);
  return errorResponse(500, MESSAGES.internal);
}
