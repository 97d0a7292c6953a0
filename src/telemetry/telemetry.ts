/** Ends every request the same way: one log line, and metrics when telemetry is on. */
import type { Logger } from './log.ts';
import type { GatewayMetrics, ToolOutcome } from './metrics.ts';
import { RequestRecords, type RequestRecord } from './request-record.ts';

export class Telemetry {
  readonly records = new RequestRecords();

  constructor(
    private readonly logger: Logger,
    /** Undefined when TELEMETRY_ENABLE is off: nothing is measured. */
    readonly metrics?: GatewayMetrics,
  ) {}

  /** Logs and measures a finished request, once. */
  finish(rec: RequestRecord): void {
    if (rec.finished) return;
    rec.finished = true;
    const durationMs = performance.now() - rec.startedAt;
    this.metrics?.observe(rec, durationMs);
    const status = rec.status ?? 0;
    const level = status >= 500 || rec.error ? 'warn' : 'info';
    if (this.logger.enabled(level)) this.logger.members(level, 'request', requestMembers(rec, status, durationMs));
  }

  /** Counts an MCP tool call. */
  toolCall(server: string, tool: string, outcome: ToolOutcome, ms: number): void {
    this.metrics?.toolCall(server, tool, outcome, ms);
  }
}

/**
 * The request line's fields, serialised by hand (an object built with spreads and then stringified cost
 * ~1 µs per request). Only values a client or provider controls go through JSON.stringify: the id is
 * checked or generated, the method is an HTTP token, the route one of ours.
 */
function requestMembers(rec: RequestRecord, status: number, durationMs: number): string {
  let out = `"request_id":"${rec.id}","method":${JSON.stringify(rec.method)},"route":${JSON.stringify(rec.route)},"status":${status},"duration_ms":${round(durationMs)}`;
  if (rec.provider) out += `,"provider":"${rec.provider}","model":${JSON.stringify(rec.model)},"stream":${rec.stream === true}`;
  if (rec.upstreamMs > 0) out += `,"upstream_ms":${round(rec.upstreamMs)}`;
  if (rec.ttftMs !== undefined) out += `,"ttft_ms":${round(rec.ttftMs)}`;
  if (rec.inputTokens !== undefined) out += `,"input_tokens":${rec.inputTokens}`;
  if (rec.outputTokens !== undefined) out += `,"output_tokens":${rec.outputTokens}`;
  if (rec.error) out += `,"error":${JSON.stringify(rec.error)}`;
  return out;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
