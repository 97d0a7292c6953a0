/**
 * OpenAI's rate-limit response headers (x-ratelimit-limit-requests, ...-remaining-tokens, ...-reset-tokens),
 * filled from the tightest matching rule. https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 */

/** One window's state as the headers describe it. */
export interface WindowState {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** A duration as OpenAI writes it (Go's style): `20ms`, `1s`, `6m0s`, `1h2m3s`; whole seconds from one second up. */
export function formatReset(ms: number): string {
  if (ms <= 0) return '0s';
  if (Math.ceil(ms) < 1000) return `${Math.ceil(ms)}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  return m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** The window with the least room left (ties: the one that resets last). */
export function tightest(states: readonly WindowState[]): WindowState | undefined {
  let best: WindowState | undefined;
  for (const s of states) {
    if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.resetMs > best.resetMs)) best = s;
  }
  return best;
}

/** The six headers (or those of the kinds that have a matching rule). */
export function rateLimitHeaders(requests: WindowState | undefined, tokens: WindowState | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [suffix, state] of [['requests', requests], ['tokens', tokens]] as const) {
    if (!state) continue;
    headers[`x-ratelimit-limit-${suffix}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${suffix}`] = String(Math.max(0, Math.floor(state.remaining)));
    headers[`x-ratelimit-reset-${suffix}`] = formatReset(state.resetMs);
  }
  return headers;
}
