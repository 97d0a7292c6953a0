/** Calls a provider with the gateway's timeouts, and ties the call's lifetime to the client's. */
import { GatewayError, MESSAGES } from '../errors.ts';
import { AS_BYTES, AS_TEXT, readWhole, type BodyForm } from '../http/bytes.ts';
import { ClientGoneError, clientGone, unwatch, watch, type ClientLink, type Watch } from './deadlines.ts';

export { ClientGoneError } from './deadlines.ts';

export interface UpstreamTimeouts {
  /** Bound on the wait for the response headers. */
  headerTimeoutMs: number;
  /** Bound on a whole non-streamed answer, and on each gap of a stream. */
  timeoutMs: number;
  disableCompression: boolean;
}

export interface UpstreamRequest {
  /** A string where the caller has one: fetch parses it natively, a URL object costs a conversion. */
  url: URL | string;
  method: string;
  /** A plain record where the caller built one once (chat); Headers where they are filtered per request (proxy). */
  headers: Headers | Record<string, string>;
  body?: BodyInit | null;
  /** The client (its Request, or a signal): when the client goes away, so does the upstream call. */
  client?: ClientLink;
  /** The provider's connection pool (plain fetch's shared pool when absent). */
  session?: Bun.FetchSession;
}

/** An upstream response whose body is still to be read; `abort` ends the upstream call. */
export class UpstreamCall {
  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
    /** The client, watched while the body is read. */
    readonly client: ClientLink | undefined,
    readonly startedAt: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  /** Watches the next phase of reading the body: aborted after `ms` or when the client goes away. */
  watch(ms: number): Watch {
    return watch(this.controller, this.client, ms);
  }
}

/** The header wait: the shorter of the two bounds that are set (0 means none). */
function headerWaitMs(t: UpstreamTimeouts): number {
  if (t.headerTimeoutMs > 0 && t.timeoutMs > 0) return Math.min(t.headerTimeoutMs, t.timeoutMs);
  return Math.max(t.headerTimeoutMs, t.timeoutMs);
}

function withIdentityEncoding(headers: Headers | Record<string, string>): Headers | Record<string, string> {
  if (headers instanceof Headers) {
    headers.set('accept-encoding', 'identity');
    return headers;
  }
  return headers['accept-encoding'] === 'identity' ? headers : { ...headers, 'accept-encoding': 'identity' };
}

/** Sends the request; resolves once headers arrive. Fails with 504 on timeout and 502 when unreachable. */
export async function callUpstream(req: UpstreamRequest, t: UpstreamTimeouts): Promise<UpstreamCall> {
  // A Request's signal is left alone here (see ClientLink): a call for a client already gone is caught by the sweep.
  if (req.client instanceof AbortSignal && req.client.aborted) throw new ClientGoneError('client disconnected');
  const controller = new AbortController();
  const startedAt = performance.now();
  const w = watch(controller, req.client, headerWaitMs(t));
  try {
    const response = await fetch(req.url, {
      method: req.method,
      headers: t.disableCompression ? withIdentityEncoding(req.headers) : req.headers,
      body: req.body ?? null,
      signal: controller.signal,
      redirect: 'manual',
      session: req.session,
    });
    return new UpstreamCall(response, controller, req.client, startedAt);
  } catch {
    if (w.timedOut) throw new GatewayError(504, MESSAGES.timeout);
    // A Request's signal is left alone here (see ClientLink): a call for a client already gone is caught by the sweep.
  if (req.client instanceof AbortSignal && req.client.aborted) throw new ClientGoneError('client disconnected');
    throw new GatewayError(502, MESSAGES.unreachable);
  } finally {
    unwatch(w);
  }
}

/** Reads a whole body within the call's remaining time (CLIENT_TIMEOUT from the start). */
export function readAll(call: UpstreamCall, timeoutMs: number, maxBytes = Number.POSITIVE_INFINITY): Promise<Uint8Array<ArrayBuffer>> {
  return readBody(call, timeoutMs, maxBytes, AS_BYTES);
}

/** The same, decoded as UTF-8: for an answer passed on after a check (valid UTF-8 encodes back to the same bytes). */
export function readText(call: UpstreamCall, timeoutMs: number, maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
  return readBody(call, timeoutMs, maxBytes, AS_TEXT);
}

async function readBody<T>(call: UpstreamCall, timeoutMs: number, maxBytes: number, form: BodyForm<T>): Promise<T> {
  const w = call.watch(timeoutMs > 0 ? Math.max(1, timeoutMs - (performance.now() - call.startedAt)) : 0);
  try {
    // A compressed body's declared length does not bound its decoded size.
    const declared = call.response.headers.get('content-length');
    const lengthBounds = declared !== null && Number(declared) <= maxBytes && !call.response.headers.has('content-encoding');
    return await readWhole(call.response, lengthBounds, form, maxBytes, () => {
      call.abort();
      throw new GatewayError(502, 'Upstream response is too large');
    });
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    if (w.timedOut) throw new GatewayError(504, MESSAGES.timeout);
    if (call.signal.reason instanceof ClientGoneError) throw call.signal.reason;
    throw new GatewayError(502, 'Upstream connection failed while reading the response');
  } finally {
    unwatch(w);
  }
}
