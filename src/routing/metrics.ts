/**
 * Routing's metrics on the app's Prometheus registry: every attempt by alias, deployment and outcome;
 * tokens only for the attempts that served the answer; each breaker's state as a gauge, read at scrape
 * time. Feed `observe` as the RoutingFeature's `onEvent`.
 */
import { LabelGuard } from '../telemetry/label-guard.ts';
import { Counter, type CounterSeries, type Registry } from '../telemetry/prometheus.ts';
import type { BreakerReadout } from './breaker.ts';
import type { AttemptOutcome, RoutingEvent } from './engine.ts';

/** Plain `provider/model` routes carry the client's model name: distinct values are capped. */
const MAX_ROUTE_LABELS = 500;

type AttemptLabel = 'alias' | 'deployment' | 'outcome';
type TokenLabel = 'alias' | 'deployment' | 'type';

/** A gauge whose values are read when scraped (the breakers change state with time alone). */
class BreakerGauge extends Counter<'deployment'> {
  constructor(private readonly read: () => BreakerReadout[]) {
    super('gateway_routing_breaker_state', 'Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open', ['deployment']);
  }

  override render(): string {
    let out = this.header('gauge');
    for (const r of this.read()) out += `${this.name}{deployment="${r.deployment.replace(/[\\"\n]/g, '_')}"} ${r.value}\n`;
    return out;
  }
}

/** One alias deployment's series, found once (finding one costs a label text and a hash). */
interface DeploymentSeries {
  attempts: Partial<Record<AttemptOutcome, CounterSeries>>;
  input?: CounterSeries;
  output?: CounterSeries;
}

/** Counts routing events into the app's registry. */
export class RoutingMetrics {
  private readonly attempts: Counter<AttemptLabel>;
  private readonly tokens: Counter<TokenLabel>;
  private readonly names = new LabelGuard(MAX_ROUTE_LABELS);
  /** By guarded alias and deployment labels: bounded as the labels are. */
  private readonly series = new Map<string, DeploymentSeries>();

  constructor(registry: Registry, breakers: () => BreakerReadout[]) {
    this.attempts = registry.add(new Counter('gateway_routing_attempts_total', 'Attempts at a deployment by alias and outcome (success, retried, failed_over, breaker_open, continued, failed)', ['alias', 'deployment', 'outcome']));
    this.tokens = registry.add(new Counter('gateway_routing_tokens_total', 'Tokens of the attempts that served an answer, by alias and deployment', ['alias', 'deployment', 'type']));
    registry.add(new BreakerGauge(breakers));
  }

  /** One routing event. */
  readonly observe = (e: RoutingEvent): void => {
    if (e.type === 'served') return;
    const alias = this.names.label(e.alias);
    const deployment = this.names.label(e.deployment);
    const s = this.seriesOf(alias, deployment);
    if (e.type === 'attempt') (s.attempts[e.outcome] ??= this.attempts.labels({ alias, deployment, outcome: e.outcome })).inc();
    else {
      const input = e.usage.prompt_tokens;
      const output = e.usage.completion_tokens;
      if (typeof input === 'number') (s.input ??= this.tokens.labels({ alias, deployment, type: 'input' })).inc(input);
      if (typeof output === 'number') (s.output ??= this.tokens.labels({ alias, deployment, type: 'output' })).inc(output);
    }
  };

  private seriesOf(alias: string, deployment: string): DeploymentSeries {
    // NUL cannot occur in a provider id, so the key is unambiguous.
    const key = `${deployment}\0${alias}`;
    let s = this.series.get(key);
    if (!s) {
      s = { attempts: {} };
      this.series.set(key, s);
    }
    return s;
  }
}
