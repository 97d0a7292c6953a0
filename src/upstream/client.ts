/** Calls a provider with the gateway's timeouts, and ties the call's lifetime to the client's. */
import { GatewayError, MESSAGES } from '../errors.ts';
import { readStream } from '../http/bytes.ts';

export interface UpstreamTimeouts {
  /** Bound on the wait for the response headers. */
  headerTimeoutMs: number;
  /** Bound on a whole non-streamed answer, and on each gap of a stream. */
  timeoutMs: number;
  disableCompression: boolean;
}

export interface UpstreamRequest {
  url: URL;
  method: string;
  headers: Headers;
  body?: BodyInit | null;
  /** The client's request signal: when the client goes away, so does the upstream call. */
  clientSignal?: AbortSignal;
  /** The provider's connection pool (plain fetch's shared pool when absent). */
  session?: Bun.FetchSession;
}

/** An upstream response whose body is still to be read; `abort` ends the upstream call. */
export interface UpstreamCall {
  response: Response;
  abort: (reason?: unknown) => void;
  signal: AbortSignal;
  startedAt: number;
  /** Milliseconds from the call until the headers arrived. */
  headersMs: number;
}

/** Thrown when the client disconnected before the upstream answered; nothing is left to reply to. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** Sends the request; resolves once headers arrive. Fails with 504 on timeout and 502 when unreachable. */
export async function callUpstream(req: UpstreamRequest, t: UpstreamTimeouts): Promise<UpstreamCall> {
  const controller = new AbortController();
  const startedAt = performance.now();
  const abort = (reason?: unknown) => controller.abort(reason);
  const onClientAbort = () => abort(new ClientGoneError('client disconnected'));
  if (req.clientSignal?.aborted) throw new ClientGoneError('client disconnected');
  req.clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort(new GatewayError(504, MESSAGES.timeout));
  }, Math.min(t.headerTimeoutMs, t.timeoutMs) || t.headerTimeoutMs || t.timeoutMs);
  if (t.disableCompression) req.headers.set('accept-encoding', 'identity');
  try {
    const response = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: controller.signal,
      redirect: 'manual',
      session: req.session,
    });
    return { response, abort, signal: controller.signal, startedAt, headersMs: performance.now() - startedAt };
  } catch (err) {
    if (timedOut) throw new GatewayError(504, MESSAGES.timeout);
    if (req.clientSignal?.aborted) throw new ClientGoneError('client disconnected');
    throw new GatewayError(502, MESSAGES.unreachable);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a whole body within the call's remaining time (CLIENT_TIMEOUT from the start). */
export async function readAll(
  call: UpstreamCall,
  timeoutMs: number,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Uint8Array<ArrayBuffer>> {
  const remaining = Math.max(1, timeoutMs - (performance.now() - call.startedAt));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    call.abort(new GatewayError(504, MESSAGES.timeout));
  }, remaining);
  try {
    // Fast path (native read, no JS stream): the length is declared, within the limit, and not of a
    // compressed body, whose decoded size it would not bound.
    const declared = call.response.headers.get('content-length');
    if (declared !== null && Number(declared) <= maxBytes && !call.response.headers.has('content-encoding')) {
      const bytes = new Uint8Array(await call.response.arrayBuffer());
      if (bytes.byteLength <= maxBytes) return bytes;
      call.abort();
      throw new GatewayError(502, 'Upstream response is too large');
    }
    const body = call.response.body;
    if (!body) return new Uint8Array();
    return await readStream(body, maxBytes, () => {
      call.abort();
      throw new GatewayError(502, 'Upstream response is too large');
    });
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (timedOut) throw new GatewayError(504, MESSAGES.timeout);
    if (call.signal.reason instanceof ClientGoneError) throw call.signal.reason;
    throw new GatewayError(502, 'Upstream connection failed while reading the response');
  } finally {
    clearTimeout(timer);
  }
}
