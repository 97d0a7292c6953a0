/**
 * Prometheus metrics after OpenTelemetry's GenAI semantic conventions (dots become underscores), plus
 * the gateway's own: requests by status, its added latency, MCP tool calls and HTTP server durations.
 * Each app has its own registry, so tests and several apps never share counters.
 */
import { Counter, Histogram, Registry, type CounterSeries, type HistogramSeries } from './prometheus.ts';
import { LabelGuard } from './label-guard.ts';
import type { RequestFacts, RequestRecord } from './request-record.ts';

/** Bucket boundaries advised by the GenAI semantic conventions. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const GEN_AI = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const;
/** Distinct model names kept as labels; the rest are counted under `_other`. */
const MAX_MODEL_LABELS = 500;

export type ToolOutcome = 'ok' | 'error' | 'timeout';

/** Every series one chat records into, for one label set. */
interface ChatSeries {
  requests: CounterSeries;
  duration: HistogramSeries;
  inputTokens: HistogramSeries;
  outputTokens: HistogramSeries;
  ttft: HistogramSeries;
  upstream: HistogramSeries;
  overhead: HistogramSeries;
}

/** The gateway's metrics, registered on their own registry. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly models = new LabelGuard(MAX_MODEL_LABELS);

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return this.registry.add(new Histogram(name, help, labelNames, buckets));
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return this.registry.add(new Counter(name, help, labelNames));
  }

  private readonly tokens = this.histogram(
    'gen_ai_client_token_usage',
    'Tokens used per chat, by type (input or output)',
    [...GEN_AI, 'gen_ai_token_type'],
    TOKEN_BUCKETS,
  );
  private readonly requestDuration = this.histogram(
    'gen_ai_server_request_duration_seconds',
    'Chat duration as the client sees it, from arrival to the last byte',
    [...GEN_AI, 'error_type'],
    DURATION_BUCKETS,
  );
  private readonly ttft = this.histogram(
    'gen_ai_server_time_to_first_token_seconds',
    'Time from arrival to the first streamed chunk sent to the client',
    GEN_AI,
    TTFT_BUCKETS,
  );
  private readonly upstreamDuration = this.histogram(
    'gen_ai_client_operation_duration_seconds',
    'Time spent waiting on providers (and MCP tools) for one chat',
    GEN_AI,
    DURATION_BUCKETS,
  );
  private readonly requests = this.counter(
    'inference_gateway_requests_total',
    'Chats by provider, model and response status',
    ['gen_ai_provider_name', 'gen_ai_request_model', 'http_response_status_code'],
  );
  private readonly overhead = this.histogram(
    'inference_gateway_overhead_seconds',
    "The gateway's own added latency: total time minus time waiting on providers and tools",
    ['gen_ai_provider_name', 'stream'],
    OVERHEAD_BUCKETS,
  );
  private readonly toolCalls = this.counter(
    'inference_gateway_mcp_tool_calls_total',
    'MCP tool calls by server, tool and outcome',
    ['mcp_server', 'gen_ai_tool_name', 'outcome'],
  );
  private readonly toolDuration = this.histogram(
    'mcp_client_operation_duration_seconds',
    'MCP tools/call duration',
    ['mcp_method_name', 'mcp_server', 'gen_ai_tool_name', 'outcome'],
    DURATION_BUCKETS,
  );
  private readonly dropped = this.counter(
    'inference_gateway_stream_events_dropped_total',
    'Malformed stream events dropped before they reached a client, by provider',
    ['gen_ai_provider_name'],
  );
  private readonly http = this.histogram(
    'http_server_request_duration_seconds',
    'Every HTTP request the gateway served, by route pattern and status',
    ['http_request_method', 'http_route', 'http_response_status_code'],
    HTTP_BUCKETS,
  );

  /** The series each kind of request records into, found once per label set. */
  private readonly httpSeries = new Map<string, HistogramSeries>();
  private readonly chatSeries = new Map<string, ChatSeries>();

  private httpSeriesOf(method: string, route: string, status: string): HistogramSeries {
    const key = `${method} ${route} ${status}`;
    let series = this.httpSeries.get(key);
    if (!series) {
      series = this.http.labels({ http_request_method: method, http_route: route, http_response_status_code: status });
      this.httpSeries.set(key, series);
    }
    return series;
  }

  private chatSeriesOf(provider: string, model: string, status: string, errorType: string, stream: boolean): ChatSeries {
    // NUL cannot occur in a provider id, a status or an error type, so the key is unambiguous.
    const key = `${provider}\0${status}\0${errorType}\0${stream}\0${model}`;
    let series = this.chatSeries.get(key);
    if (!series) {
      const labels = { gen_ai_operation_name: 'chat', gen_ai_provider_name: provider, gen_ai_request_model: model };
      series = {
        requests: this.requests.labels({ gen_ai_provider_name: provider, gen_ai_request_model: model, http_response_status_code: status }),
        duration: this.requestDuration.labels({ ...labels, error_type: errorType }),
        inputTokens: this.tokens.labels({ ...labels, gen_ai_token_type: 'input' }),
        outputTokens: this.tokens.labels({ ...labels, gen_ai_token_type: 'output' }),
        ttft: this.ttft.labels(labels),
        upstream: this.upstreamDuration.labels(labels),
        overhead: this.overhead.labels({ gen_ai_provider_name: provider, stream: String(stream) }),
      };
      this.chatSeries.set(key, series);
    }
    return series;
  }

  /** Records a finished request (and, for chats, its GenAI measurements). */
  observe(rec: RequestRecord, facts: RequestFacts): void {
    const status = String(rec.status ?? 0);
    const seconds = facts.durationMs / 1000;
    this.httpSeriesOf(rec.method, rec.route, status).observe(seconds);
    if (!rec.provider || !rec.model) return;
    const failed = rec.error !== undefined || (rec.status ?? 0) >= 400;
    const series = this.chatSeriesOf(rec.provider, this.models.label(rec.model), status, failed ? errorType(rec) : '', rec.stream === true);
    series.requests.inc();
    series.duration.observe(seconds);
    if (facts.inputTokens !== undefined) series.inputTokens.observe(facts.inputTokens);
    if (facts.outputTokens !== undefined) series.outputTokens.observe(facts.outputTokens);
    if (facts.ttftMs !== undefined) series.ttft.observe(facts.ttftMs / 1000);
    if (facts.upstreamMs > 0) {
      series.upstream.observe(facts.upstreamMs / 1000);
      series.overhead.observe(Math.max(0, facts.durationMs - facts.upstreamMs) / 1000);
    }
  }

  /** Counts a malformed stream event dropped before it reached a client. */
  droppedEvent(provider: string): void {
    this.dropped.labels({ gen_ai_provider_name: provider }).inc();
  }

  /** Records one MCP tool call. */
  toolCall(server: string, tool: string, outcome: ToolOutcome, ms: number): void {
    const labels = { mcp_server: serverLabel(server), gen_ai_tool_name: tool, outcome };
    this.toolCalls.labels(labels).inc();
    this.toolDuration.labels({ ...labels, mcp_method_name: 'tools/call' }).observe(ms / 1000);
  }

  /** The Prometheus exposition text. */
  expose(): Promise<string> {
    return Promise.resolve(this.registry.render());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** The error's stable code (`upstream_unreachable`, `model_not_allowed`, …); the status where no code was noted. */
function errorType(rec: RequestRecord): string {
  return rec.error?.code ?? String(rec.status ?? 'unknown');
}

/** A server URL without credentials or query, so no secret can become a label. */
function serverLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'invalid';
  }
}
