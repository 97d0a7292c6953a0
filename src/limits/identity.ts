/** Who is calling, for the limits: from a verified token's claims, a gateway API key's entry, or else the client address. */
import type { LimitsConfig } from './limits-file.ts';

/** The caller and its teams, as the limits count them. */
export interface Identity {
  caller: string;
  teams: string[];
  /** Where the caller came from (for `GET /v1/limits` and logs). */
  source: 'token' | 'api_key' | 'address';
}

/** What a request offers to identify its caller; the first present of claims and key wins. */
export interface IdentitySources {
  /** Claims of a token the auth plugin has verified. */
  claims?: Record<string, unknown>;
  /** The entry of a gateway API key that matched. */
  apiKey?: { caller: string; teams: string[] };
  /**
   * The client's address (`server.requestIP`), or a stand-in when unknown; a function where finding it
   * costs (Bun's requestIP took 2.5% of a limited chat's CPU in the profile) and claims or a key may do.
   */
  address: string | (() => string);
}

/** A claim by name; a dotted name (`realm_access.roles`) reaches into nested objects when no claim has the whole name. */
function claimOf(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** A team claim as a list: one string, or the strings of an array; anything else is no team. */
function teamsOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  // A caller listed twice in one team must not be charged twice.
  return [...new Set(items.map(asText).filter((t): t is string => t !== undefined))];
}

/** The identity of a request: token claims (caller_claim, then `sub`), else the API key entry, else the address. */
export function identityOf(sources: IdentitySources, names: LimitsConfig['identity']): Identity {
  if (sources.claims) {
    const caller = asText(claimOf(sources.claims, names.callerClaim)) ?? asText(sources.claims.sub);
    if (caller !== undefined) {
      const teams = names.teamClaim ? teamsOf(claimOf(sources.claims, names.teamClaim)) : [];
      return { caller, teams, source: 'token' };
    }
  }
  if (sources.apiKey) return { caller: sources.apiKey.caller, teams: [...new Set(sources.apiKey.teams)], source: 'api_key' };
  const address = sources.address;
  return { caller: typeof address === 'string' ? address : address(), teams: [], source: 'address' };
}
