/** Which rules apply to a request, and which counters (caller, each team, or everyone) they charge. */
import type { Identity } from './identity.ts';
import { LIMIT_KINDS, type LimitKind, type LimitRule } from './limits-file.ts';
import { WINDOW_MS } from './windows.ts';

/** One counter of one rule for one key, before the amount is known. */
export interface RuleCounter {
  rule: LimitRule;
  kind: LimitKind;
  /** The caller, the team, or `*` for a global rule. */
  key: string;
  /** The store's name for it, the same on every replica. */
  id: string;
  windowMs: number;
  limit: number;
}

/** `openai/*` → a case-insensitive RegExp (`*` any text, `?` one character); a limit must not be dodged by spelling a model `OpenAI/...`. */
function globRegex(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The rules of one limits file, with their model globs compiled once. */
export class RuleSet {
  private readonly compiled: { rule: LimitRule; models?: RegExp[] }[];

  constructor(readonly rules: readonly LimitRule[]) {
    this.compiled = rules.map((rule) => (rule.models ? { rule, models: rule.models.map(globRegex) } : { rule }));
  }

  /** Rules that apply to `model`; a request without a model (a raw proxy call) meets only rules without `models`. */
  matching(model: string | undefined): LimitRule[] {
    return this.compiled
      .filter((c) => !c.models || (model !== undefined && c.models.some((re) => re.test(model))))
      .map((c) => c.rule);
  }

  /** Every counter these rules charge for this identity; a team rule charges each of the caller's teams, and none without one. */
  counters(rules: readonly LimitRule[], identity: Identity): RuleCounter[] {
    const out: RuleCounter[] = [];
    for (const rule of rules) {
      const keys = rule.per === 'global' ? ['*'] : rule.per === 'team' ? identity.teams : [identity.caller];
      for (const key of keys) {
        for (const kind of LIMIT_KINDS) {
          const limit = rule.limits[kind];
          if (limit === undefined) continue;
          out.push({ rule, kind, key, id: `${rule.name}|${kind}|${key}`, windowMs: WINDOW_MS[kind], limit });
        }
      }
    }
    return out;
  }
}
