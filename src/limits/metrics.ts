/** The limits' Prometheus series, on the app's registry; labels are rule names and windows (bounded by the file), never callers. */
import { Counter, Histogram, type Registry } from '../telemetry/prometheus.ts';
import type { LimitKind } from './limits-file.ts';
import type { LimitsObserver } from './limiter.ts';

const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/** Registers the series and returns the observer that feeds them. */
export function limitsMetrics(registry: Registry): LimitsObserver {
  const limited = registry.add(new Counter('inference_gateway_limited_requests_total', 'Requests refused with 429 by a limits rule, by rule and window', ['rule', 'window']));
  const storeErrors = registry.add(new Counter('inference_gateway_limits_store_errors_total', 'Limits store operations that failed (Redis unreachable, too slow or answering nonsense)', []));
  const failOpen = registry.add(new Counter('inference_gateway_limits_fail_open_total', 'Requests served without limits while the store was away (LIMITS_FAIL_MODE=open)', []));
  const roundTrip = registry.add(new Histogram('inference_gateway_limits_store_duration_seconds', 'Round-trip time of one limits store operation (Redis)', [], STORE_BUCKETS));
  const storeErrorSeries = storeErrors.labels({});
  const failOpenSeries = failOpen.labels({});
  const roundTripSeries = roundTrip.labels({});
  return {
    limited: (rule: string, window: LimitKind) => limited.labels({ rule, window }).inc(),
    storeError: () => storeErrorSeries.inc(),
    failedOpen: () => failOpenSeries.inc(),
    storeRoundTrip: (seconds: number) => roundTripSeries.observe(seconds),
  };
}
