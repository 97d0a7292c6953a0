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
    this.logger[level]('request', {
      request_id: rec.id,
      method: rec.method,
      route: rec.route,
      status,
      duration_ms: round(durationMs),
      ...(rec.provider && { provider: rec.provider, model: rec.model, stream: rec.stream === true }),
      ...(rec.upstreamMs > 0 && { upstream_ms: round(rec.upstreamMs) }),
      ...(rec.ttftMs !== undefined && { ttft_ms: round(rec.ttftMs) }),
      ...(rec.inputTokens !== undefined && { input_tokens: rec.inputTokens, output_tokens: rec.outputTokens }),
      ...(rec.error && { error: rec.error }),
    });
  }

  /** Counts an MCP tool call. */
  toolCall(server: string, tool: string, outcome: ToolOutcome, ms: number): void {
    this.metrics?.toolCall(server, tool, outcome, ms);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
