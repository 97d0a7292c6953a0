/** Reads request bodies up to the configured limit, before anything is sent upstream. */
import { GatewayError, MESSAGES } from '../errors.ts';
import { AS_BYTES, AS_TEXT, readWhole, type BodyForm } from './bytes.ts';

/** The whole body, or 413 as soon as it passes `maxBytes` (declared or actually read). */
export function readLimitedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  return readLimited(request, maxBytes, AS_BYTES);
}

/** The same, decoded as UTF-8: for a body that is parsed, not passed on. */
export function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  return readLimited(request, maxBytes, AS_TEXT);
}

function readLimited<T>(request: Request, maxBytes: number, form: BodyForm<T>): Promise<T> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw new GatewayError(413, 'body_too_large', MESSAGES.tooLarge, { reason: `body over SERVER_MAX_BODY_SIZE (${maxBytes} bytes)` });
  return readWhole(request, declared !== null, form, maxBytes, () => {
    throw new GatewayError(413, 'body_too_large', MESSAGES.tooLarge, { reason: `body over SERVER_MAX_BODY_SIZE (${maxBytes} bytes)` });
  });
}

/**
 * A JSON route's body as text, read once per request: the limits check may need it (model, token
 * reservation) before the route does. Reading a clone instead made Bun tee the body, and both reads
 * lost the native read (bench/README.md, trick c): ~50% of a limited chat's throughput.
 */
export class RequestBodies {
  private readonly texts = new WeakMap<Request, Promise<string>>();

  constructor(private readonly maxBytes: number) {}

  /** The body, under SERVER_MAX_BODY_SIZE (413 past it); the same promise for every reader of one request. */
  text(request: Request): Promise<string> {
    let text = this.texts.get(request);
    if (!text) {
      text = readLimitedText(request, this.maxBytes);
      this.texts.set(request, text);
    }
    return text;
  }
}

/** Parses a JSON request body; 400 with a clear message when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  if (text === '') throw new GatewayError(400, 'invalid_request', 'Request body is empty: expected a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(400, 'invalid_request', 'Request body is not valid JSON');
  }
}
