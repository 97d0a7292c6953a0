/** The limits of one app: check-and-charge before a call, correct to real usage after it, and report usage. */
import type { Logger } from '../telemetry/log.ts';
import type { Identity } from './identity.ts';
import type { LimitKind, LimitsConfig } from './limits-file.ts';
import { rateLimitHeaders, tightest, type WindowState } from './rate-limit-headers.ts';
import { RuleSet, type RuleCounter } from './rules.ts';
import { LimitStoreError, type ChargeOutcome, type LimitStore } from './store.ts';
import { positionOf, prevWeight, resetMs, slidingCount, waitMs, type WindowCounts } from './windows.ts';
import { usageReport, type LimitsUsage } from './usage-report.ts';

/** What to do when the store cannot answer: serve unlimited (`open`) or refuse with 503 (`closed`). */
export type FailMode = 'open' | 'closed';

/** Hooks for metrics; labels stay bounded (rule names and window kinds, never callers). */
export interface LimitsObserver {
  limited?(rule: string, window: LimitKind): void;
  storeError?(reason: string): void;
  /** A request served without limits because the store was away (LIMITS_FAIL_MODE=open). */
  failedOpen?(): void;
  /** One store round trip (Redis only), in seconds. */
  storeRoundTrip?(seconds: number): void;
}

/** How a limiter is built; `now` is injectable so tests can slide windows. */
export interface LimiterOptions {
  failMode: FailMode;
  logger: Logger;
  now?: () => number;
  observer?: LimitsObserver;
}

/** What was charged for one request, kept until its real usage is known. */
export interface LimitTicket {
  reservedTokens: number;
  tokenCounters: { id: string; windowMs: number; window: number }[];
}

/** The answer to `check`. */
export type LimitDecision =
  | { outcome: 'allowed'; ticket?: LimitTicket; headers: Record<string, string> }
  | { outcome: 'limited'; rule: string; window: LimitKind; retryAfterSeconds: number; message: string }
  | { outcome: 'unavailable'; reason: string };

const UNIT: Record<LimitKind, [string, string]> = {
  requests_per_minute: ['request', 'minute'],
  tokens_per_minute: ['token', 'minute'],
  tokens_per_day: ['token', 'day'],
};

/** `60 requests per minute`, `1 token per day`. */
function amountOf(limit: number, kind: LimitKind): string {
  const [unit, per] = UNIT[kind];
  return `${limit} ${unit}${limit === 1 ? '' : 's'} per ${per}`;
}

/** Rules, a store and a fail mode; owned by one app. */
export class Limiter {
  private rules: RuleSet;
  private inOutage = false;
  private readonly now: () => number;

  constructor(
    private config: LimitsConfig,
    private readonly store: LimitStore,
    private readonly options: LimiterOptions,
  ) {
    this.rules = new RuleSet(config.rules);
    this.now = options.now ?? Date.now;
  }

  /** The claim names the identity is read from. */
  get identityNames(): LimitsConfig['identity'] {
    return this.config.identity;
  }

  /** Whether any rule looks at the model or counts tokens: only then is a request's body read before the call. */
  get readsBody(): boolean {
    return this.config.rules.some((r) => r.models !== undefined || r.limits.tokens_per_minute !== undefined || r.limits.tokens_per_day !== undefined);
  }

  /** Tokens reserved for the answer when a request does not say. */
  get defaultMaxTokens(): number {
    return this.config.defaultMaxTokens;
  }

  /** Swaps in a re-read limits file (SIGHUP); counters of rules that keep their names carry on. */
  reload(config: LimitsConfig): void {
    this.config = config;
    this.rules = new RuleSet(config.rules);
  }

  /** Checks every matching rule and charges one request and `tokens` to each, or charges nothing and says which rule and window refused. */
  async check(identity: Identity, model: string | undefined, tokens: number): Promise<LimitDecision> {
    const counters = this.rules.counters(this.rules.matching(model), identity);
    if (counters.length === 0) return { outcome: 'allowed', headers: {} };
    const amounts = counters.map((c) => (c.kind === 'requests_per_minute' ? 1 : Math.max(0, Math.ceil(tokens))));
    const now = this.now();
    let outcome: ChargeOutcome;
    try {
      outcome = await this.store.checkAndCharge(counters.map((c, i) => ({ id: c.id, windowMs: c.windowMs, limit: c.limit, amount: amounts[i]! })), now);
      this.storeBack();
    } catch (err) {
      const reason = this.storeFailed(err);
      if (this.options.failMode === 'closed') return { outcome: 'unavailable', reason };
      this.options.observer?.failedOpen?.();
      return { outcome: 'allowed', headers: {} };
    }
    if (outcome.rejected !== undefined) return this.refusal(counters, amounts, outcome.counts, now);
    const tokenCounters = counters.flatMap((c, i) => (c.kind === 'requests_per_minute' ? [] : [{ id: c.id, windowMs: c.windowMs, window: outcome.windows[i]! }]));
    const headers = this.headers(counters, outcome.counts, now);
    // Only token windows are corrected afterwards: a request counted once needs no ticket.
    if (tokenCounters.length === 0) return { outcome: 'allowed', headers };
    return { outcome: 'allowed', ticket: { reservedTokens: Math.max(0, Math.ceil(tokens)), tokenCounters }, headers };
  }

  /** Corrects a ticket's token reservation to what the answer really used (streams included); never throws. */
  async settle(ticket: LimitTicket | undefined, usedTokens: number): Promise<void> {
    if (!ticket || ticket.tokenCounters.length === 0) return;
    const delta = Math.round(usedTokens) - ticket.reservedTokens;
    if (delta === 0) return;
    try {
      await this.store.adjust(ticket.tokenCounters.map((c) => ({ ...c, delta })));
      this.storeBack();
    } catch (err) {
      this.storeFailed(err);
    }
  }

  /** Every rule that counts this caller (whatever the model), with usage and reset times, for `GET /v1/limits`. */
  async usage(identity: Identity): Promise<LimitsUsage | { outcome: 'unavailable'; reason: string }> {
    const counters = this.rules.counters(this.rules.rules, identity);
    const now = this.now();
    try {
      const counts = await this.store.read(counters, now);
      this.storeBack();
      return usageReport(identity, counters, counts, now);
    } catch (err) {
      const reason = this.storeFailed(err);
      return this.options.failMode === 'closed' ? { outcome: 'unavailable', reason } : usageReport(identity, counters, undefined, now);
    }
  }

  /** Releases the store. */
  close(): void {
    this.store.close();
  }

  /** The refusal naming the rule that frees up last, so that Retry-After is enough for every refusing rule. */
  private refusal(counters: RuleCounter[], amounts: number[], counts: WindowCounts[], now: number): LimitDecision {
    let worst = -1;
    let worstWait = -1;
    counters.forEach((c, i) => {
      const wait = waitMs(counts[i]!, amounts[i]!, c.limit, positionOf(now, c.windowMs), c.windowMs);
      if (wait > 0 && wait > worstWait) [worst, worstWait] = [i, wait];
    });
    const c = counters[Math.max(0, worst)]!;
    this.options.observer?.limited?.(c.rule.name, c.kind);
    if (worstWait === Infinity) {
      return {
        outcome: 'limited',
        rule: c.rule.name,
        window: c.kind,
        retryAfterSeconds: Math.ceil(c.windowMs / 1000),
        message: `Request too large for rate limit "${c.rule.name}": it needs ${amounts[worst]} tokens, the limit is ${amountOf(c.limit, c.kind)}; lower max_tokens or shorten the prompt`,
      };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(worstWait / 1000));
    return {
      outcome: 'limited',
      rule: c.rule.name,
      window: c.kind,
      retryAfterSeconds,
      message: `Rate limit "${c.rule.name}" reached: ${amountOf(c.limit, c.kind)}; retry in ${retryAfterSeconds}s`,
    };
  }

  /** Header values from the counts after charging: the tightest request window and the tightest token window. */
  private headers(counters: RuleCounter[], counts: WindowCounts[], now: number): Record<string, string> {
    const requests: WindowState[] = [];
    const tokens: WindowState[] = [];
    counters.forEach((c, i) => {
      const pos = positionOf(now, c.windowMs);
      const state = { limit: c.limit, remaining: c.limit - slidingCount(counts[i]!, prevWeight(pos)), resetMs: resetMs(counts[i]!, pos, c.windowMs) };
      (c.kind === 'requests_per_minute' ? requests : tokens).push(state);
    });
    return rateLimitHeaders(tightest(requests), tightest(tokens));
  }

  /** Counts a store failure and logs the first of an outage; returns its reason (safe to log). */
  private storeFailed(err: unknown): string {
    if (!(err instanceof LimitStoreError)) throw err;
    this.options.observer?.storeError?.(err.reason);
    if (!this.inOutage) {
      this.inOutage = true;
      const then = this.options.failMode === 'open' ? 'serving without limits until it is back' : 'refusing limited requests (503) until it is back';
      this.options.logger.warn(`limits store unreachable; ${then}`, { reason: err.reason, fail_mode: this.options.failMode });
    }
    return err.reason;
  }

  private storeBack(): void {
    if (!this.inOutage) return;
    this.inOutage = false;
    this.options.logger.info('limits store reachable again; limits shared again');
  }
}
