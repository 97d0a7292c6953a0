/** Ends every request the same way: one log line, and metrics when telemetry is on. */
import type { GatewayError } from '../errors.ts';
import type { Logger } from './log.ts';
import type { GatewayMetrics, ToolOutcome } from './metrics.ts';
import { factsOf, RequestRecords, type RequestFacts, type RequestRecord } from './request-record.ts';

export class Telemetry {
  readonly records = new RequestRecords();

  constructor(
    private readonly logger: Logger,
    /** Undefined when TELEMETRY_ENABLE is off: nothing is measured. */
    readonly metrics?: GatewayMetrics,
  ) {}

  /** Notes why a request failed (its code and the operator's reason), for its line and metrics. */
  failed(rec: RequestRecord | undefined, err: GatewayError): void {
    if (rec && !rec.error) rec.error = { code: err.code, reason: err.reason };
  }

  /**
   * For a body relayed after the response was handed over: the record is finished when the body ends
   * (marked deferred now), a client that left counting as 499 and any other failure noted.
   */
  finishWhenRelayed(rec: RequestRecord | undefined): (err?: GatewayError) => void {
    if (rec) rec.deferred = true;
    return (err) => {
      if (!rec) return;
      if (err?.code === 'client_gone') rec.status = 499;
      else if (err) this.failed(rec, err);
      this.finish(rec);
    };
  }

  /** Logs and measures a finished request, once. */
  finish(rec: RequestRecord): void {
    if (rec.finished) return;
    rec.finished = true;
    const facts = factsOf(rec, performance.now());
    rec.onFinish?.(facts);
    this.metrics?.observe(rec, facts);
    const status = rec.status ?? 0;
    // A client's mistake (4xx) is information; a failure of ours or a provider's, or a stream broken after its start, is a warning.
    const level = status >= 500 || (rec.error !== undefined && status < 400) ? 'warn' : 'info';
    if (this.logger.enabled(level)) this.logger[level]('request', requestFields(rec, status, facts));
  }

  /** Counts an MCP tool call. */
  toolCall(server: string, tool: string, outcome: ToolOutcome, ms: number): void {
    this.metrics?.toolCall(server, tool, outcome, ms);
  }

  /** Counts a malformed stream event that was dropped. */
  droppedEvent(provider: string): void {
    this.metrics?.droppedEvent(provider);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The request line's fields; absent facts are left out. */
function requestFields(rec: RequestRecord, status: number, facts: RequestFacts): Record<string, unknown> {
  const fields: Record<string, unknown> = { request_id: rec.id, method: rec.method, route: rec.route, status, duration_ms: round(facts.durationMs) };
  if (rec.provider) Object.assign(fields, { provider: rec.provider, model: rec.model, stream: rec.stream === true });
  if (rec.exchanges.length > 1) fields.attempts = rec.exchanges.length;
  if (facts.upstreamMs > 0) fields.upstream_ms = round(facts.upstreamMs);
  if (facts.ttftMs !== undefined) fields.ttft_ms = round(facts.ttftMs);
  if (facts.inputTokens !== undefined) fields.input_tokens = facts.inputTokens;
  if (facts.outputTokens !== undefined) fields.output_tokens = facts.outputTokens;
  if (rec.error) {
    fields.error_code = rec.error.code;
    if (rec.error.reason) fields.reason = rec.error.reason;
  }
  return fields;
}
