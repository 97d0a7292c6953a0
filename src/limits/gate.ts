/**
 * Per request, before any provider is called: who the caller is (gateway API key, verified token claims,
 * or the client address), and whether the limits let it through. The Elysia plugin only wires these.
 */
import { presentedApiKeys, type ApiKeyEntry, type ApiKeys } from '../auth/api-keys.ts';
import { unauthorized } from '../auth/oidc.ts';
import { GatewayError } from '../errors.ts';
import { identityOf, type Identity, type IdentitySources } from './identity.ts';
import type { Limiter, LimitTicket } from './limiter.ts';

/** What the gate is built from; either part may be absent (keys without limits, limits without keys). */
export interface GateParts {
  limiter?: Limiter;
  apiKeys?: ApiKeys;
  /** AUTH_ENABLE: a verified JWT admits a request that has no gateway key. */
  authEnabled: boolean;
}

/** A request let through: the headers to add to its answer, and what to correct once its usage is known. */
export interface Admission {
  headers: Record<string, string>;
  ticket?: LimitTicket;
}

const MISSING_KEY = 'Missing API key: send Authorization: Bearer <key> or x-api-key: <key>';
const WRONG_KEY = 'Invalid API key';
const CLAIMS_DEFAULT = { callerClaim: 'sub' };

/** A compact JWS (`header.payload.signature`): with AUTH_ENABLE such a bearer is left to the OIDC check. */
function looksLikeJwt(value: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value);
}

/** The identity and admission steps; owns the per-request key matches (keyed by the Request, so nothing leaks). */
export class LimitsGate {
  private readonly keyed = new WeakMap<Request, ApiKeyEntry>();

  constructor(readonly parts: GateParts) {}

  /**
   * Checks a presented gateway key. True when it is valid (the OIDC check is then skipped); false when the
   * OIDC check should decide (AUTH_ENABLE and a bearer that looks like a token, or no key at all); 401 otherwise.
   */
  checkKey(request: Request): boolean {
    const keys = this.parts.apiKeys;
    if (!keys) return false;
    const presented = presentedApiKeys(request.headers);
    if (presented.length === 0) {
      if (this.parts.authEnabled) return false;
      throw unauthorized(MISSING_KEY, false);
    }
    for (const key of presented) {
      const entry = keys.lookup(key);
      if (entry) {
        this.keyed.set(request, entry);
        return true;
      }
    }
    const bearer = request.headers.has('authorization') ? presented[0] : undefined;
    if (this.parts.authEnabled && bearer !== undefined && looksLikeJwt(bearer)) return false;
    throw unauthorized(WRONG_KEY);
  }

  /** The caller of a request: its gateway key's entry, else its verified claims, else `address`. */
  identify(request: Request, claims: Record<string, unknown> | undefined, address: IdentitySources['address']): Identity {
    const names = this.parts.limiter?.identityNames ?? CLAIMS_DEFAULT;
    const apiKey = this.keyed.get(request);
    // A key that matched wins over claims: with both, the key is what the gateway checked for this request.
    if (apiKey) return identityOf({ apiKey, address }, names);
    return identityOf(claims ? { claims, address } : { address }, names);
  }

  /** Charges the request to every matching rule, or throws 429 (naming rule and window, with Retry-After) or 503 (store away, LIMITS_FAIL_MODE=closed). */
  async admit(identity: Identity, model: string | undefined, tokens: number): Promise<Admission> {
    const limiter = this.parts.limiter;
    if (!limiter) return { headers: {} };
    const decision = await limiter.check(identity, model, tokens);
    switch (decision.outcome) {
      case 'allowed':
        return decision.ticket ? { headers: decision.headers, ticket: decision.ticket } : { headers: decision.headers };
      case 'limited':
        throw new GatewayError(429, 'rate_limited', decision.message, {
          headers: { 'retry-after': String(decision.retryAfterSeconds) },
          reason: `rule ${decision.rule}, ${decision.window}`,
        });
      case 'unavailable':
        throw new GatewayError(503, 'limits_unavailable', 'Rate limits cannot be checked right now; try again shortly', {
          headers: { 'retry-after': '1' },
          reason: `limits store: ${decision.reason}`,
        });
    }
  }

  /** Corrects a ticket to the tokens the answer really used (input + output, streams included). */
  settle(ticket: LimitTicket | undefined, usedTokens: number | undefined): void {
    // Without reported usage the reservation stands: better to over-count than to let usage go uncounted.
    if (!ticket || usedTokens === undefined || !this.parts.limiter) return;
    void this.parts.limiter.settle(ticket, usedTokens);
  }
}
