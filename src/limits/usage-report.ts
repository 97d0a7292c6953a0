/** The body of `GET /v1/limits`: the caller's rules, what it has used of each window, and when each resets. */
import type { Identity } from './identity.ts';
import type { LimitKind, RuleScope } from './limits-file.ts';
import { formatReset } from './rate-limit-headers.ts';
import type { RuleCounter } from './rules.ts';
import { positionOf, prevWeight, resetMs, slidingCount, type WindowCounts } from './windows.ts';

/** One window of one rule for one key; usage is null while the store is away (LIMITS_FAIL_MODE=open). */
export interface WindowUsage {
  window: LimitKind;
  limit: number;
  used: number | null;
  remaining: number | null;
  /** Seconds until the sliding window is empty again. */
  resets_in_seconds: number | null;
  /** The same, as OpenAI's reset headers write it (`6m0s`). */
  reset: string | null;
}

/** One rule as it applies to one key (the caller, one of its teams, or everyone). */
export interface RuleUsage {
  name: string;
  per: RuleScope;
  /** The caller or team counted; absent for a global rule. */
  key?: string;
  models?: string[];
  windows: WindowUsage[];
}

/** The whole report. */
export interface LimitsUsage {
  caller: string;
  teams: string[];
  identity_source: Identity['source'];
  /** `unavailable`: the shared store is away and limits are not enforced right now. */
  store: 'ok' | 'unavailable';
  rules: RuleUsage[];
}

function windowUsage(c: RuleCounter, counts: WindowCounts | undefined, now: number): WindowUsage {
  if (!counts) return { window: c.kind, limit: c.limit, used: null, remaining: null, resets_in_seconds: null, reset: null };
  const pos = positionOf(now, c.windowMs);
  const used = Math.ceil(slidingCount(counts, prevWeight(pos)));
  const reset = resetMs(counts, pos, c.windowMs);
  return {
    window: c.kind,
    limit: c.limit,
    used,
    remaining: Math.max(0, c.limit - used),
    resets_in_seconds: Math.ceil(reset / 1000),
    reset: formatReset(reset),
  };
}

/** Groups counters (in rule, key, kind order, as RuleSet.counters gives them) into the report. */
export function usageReport(identity: Identity, counters: RuleCounter[], counts: WindowCounts[] | undefined, now: number): LimitsUsage {
  const rules: RuleUsage[] = [];
  counters.forEach((c, i) => {
    let last = rules.at(-1);
    if (!last || last.name !== c.rule.name || (last.key ?? '*') !== c.key) {
      last = { name: c.rule.name, per: c.rule.per, ...(c.rule.per === 'global' ? {} : { key: c.key }), ...(c.rule.models ? { models: c.rule.models } : {}), windows: [] };
      rules.push(last);
    }
    last.windows.push(windowUsage(c, counts?.[i], now));
  });
  return { caller: identity.caller, teams: identity.teams, identity_source: identity.source, store: counts ? 'ok' : 'unavailable', rules };
}
