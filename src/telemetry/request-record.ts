/**
 * What the gateway learns about one request while serving it; logged and measured once at its end. The
 * route says what was asked (`describe`); everything about providers comes from the summaries of its
 * exchanges, which nothing else writes.
 */
import type { ErrorCode } from '../errors.ts';
import type { ExchangeSummary } from '../exchange/exchange.ts';

export interface RequestRecord {
  id: string;
  method: string;
  /** The route pattern (never the raw path: it would explode label cardinality). */
  route: string;
  startedAt: number;
  status?: number;
  /** What the client asked for: provider, model (as the client named it), stream. */
  provider?: string;
  model?: string;
  stream?: boolean;
  /** Every exchange with a provider this request made, in order. */
  exchanges: ExchangeSummary[];
  /** Milliseconds spent in MCP tool calls. */
  toolMs: number;
  /** Why it failed, for the log line and the metrics' error_type. */
  error?: { code: ErrorCode; reason?: string };
  /** The response was handed over while its body still flows; whoever ends the body finishes the record. */
  deferred?: boolean;
  finished?: boolean;
  /** The route's Response was built with the `x-request-id` header (see `withRequestId`). */
  stamped?: boolean;
  /** Headers its answer carries besides the route's own (the limits' x-ratelimit-*); added by `withRequestId`. */
  headers?: Record<string, string>;
  /** Called once when the request is finished, with its facts (the limits correct a token reservation to the real usage). */
  onFinish?: (facts: RequestFacts) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's X-Request-Id when it is safe to echo and log, or a new one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get('x-request-id');
  return given !== null && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/**
 * `headers` plus the request's id (and `rec.headers`), for a route that builds its own Response. Setting the header on a
 * Response after it was built (the lifecycle's fallback) delayed a streamed first chunk by ~0.05 ms.
 */
export function withRequestId(rec: RequestRecord | undefined, headers: Readonly<Record<string, string>>): Record<string, string> {
  if (!rec) return headers;
  rec.stamped = true;
  return rec.headers ? { ...headers, ...rec.headers, 'x-request-id': rec.id } : { ...headers, 'x-request-id': rec.id };
}

/** Says what a request asked for (route, provider, model, stream). */
export function describe(rec: RequestRecord | undefined, what: { route: string; provider: string; model: string; stream: boolean }): void {
  if (rec) Object.assign(rec, what);
}

/** Per-request records, keyed by the Request object so no global id map can leak. */
export class RequestRecords {
  private readonly records = new WeakMap<Request, RequestRecord>();

  start(request: Request, route: string): RequestRecord {
    const rec: RequestRecord = {
      id: requestIdFrom(request.headers),
      method: request.method,
      route,
      startedAt: performance.now(),
      exchanges: [],
      toolMs: 0,
    };
    this.records.set(request, rec);
    return rec;
  }

  get(request: Request): RequestRecord | undefined {
    return this.records.get(request);
  }
}

/** What telemetry derives from a finished record. */
export interface RequestFacts {
  durationMs: number;
  /** Time waiting on providers and tools. */
  upstreamMs: number;
  /** From arrival to the first streamed event. */
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
}

/** Sums the exchanges: tokens over every round, time over every wait. */
export function factsOf(rec: RequestRecord, now: number): RequestFacts {
  let upstreamMs = rec.toolMs;
  let ttftMs: number | undefined;
  let input: number | undefined;
  let output: number | undefined;
  for (const ex of rec.exchanges) {
    upstreamMs += ex.durationMs ?? now - ex.startedAt;
    if (ttftMs === undefined && ex.firstEventMs !== undefined && rec.stream) ttftMs = ex.startedAt + ex.firstEventMs - rec.startedAt;
    if (ex.usage) {
      input = (input ?? 0) + ex.usage.input;
      output = (output ?? 0) + ex.usage.output;
    }
  }
  return { durationMs: now - rec.startedAt, upstreamMs, ttftMs, inputTokens: input, outputTokens: output };
}
