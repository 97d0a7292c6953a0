/** The limits file (LIMITS_CONFIG_PATH): who the caller and team are, and the rules that limit them. */
import { readDataFile, ShapeCheck } from './data-file.ts';

/** Whose usage a rule counts together. */
export type RuleScope = 'caller' | 'team' | 'global';

/** Which counter of a rule a limit applies to. */
export type LimitKind = 'requests_per_minute' | 'tokens_per_minute' | 'tokens_per_day';

/** Every limit a rule may set, in the order they are checked and reported. */
export const LIMIT_KINDS: readonly LimitKind[] = ['requests_per_minute', 'tokens_per_minute', 'tokens_per_day'];

/** One rule as written in the file, checked. */
export interface LimitRule {
  name: string;
  per: RuleScope;
  /** Globs (`*`, `?`) on the model as the client sent it, matched case-insensitively; undefined matches every model. */
  models?: string[];
  limits: Partial<Record<LimitKind, number>>;
}

/** The whole limits file, checked, with defaults filled. */
export interface LimitsConfig {
  identity: { callerClaim: string; teamClaim?: string };
  rules: LimitRule[];
  /** Tokens reserved for the answer when a request names no max_tokens. */
  defaultMaxTokens: number;
}

/** Output tokens reserved when a request does not say; OpenAI's own models answer with fewer most of the time. */
export const DEFAULT_MAX_TOKENS = 4096;

const SCOPES: readonly RuleScope[] = ['caller', 'team', 'global'];
const TOP_KEYS = ['identity', 'rules', 'default_max_tokens'] as const;
const IDENTITY_KEYS = ['caller_claim', 'team_claim'] as const;
const RULE_KEYS = ['name', 'per', 'models', ...LIMIT_KINDS] as const;
// Rule names become metric labels and Redis key parts: keep them plain.
const RULE_NAME = { re: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, says: 'letters, digits, "-", "_" or "." (at most 64)' };

function checkRule(shape: ShapeCheck, value: unknown, path: string): LimitRule | undefined {
  const obj = shape.object(value, path, RULE_KEYS);
  if (!obj) return undefined;
  const name = shape.string(obj, 'name', path, true, RULE_NAME);
  const per = shape.oneOf(obj, 'per', path, SCOPES);
  const models = shape.stringList(obj, 'models', path);
  const limits: Partial<Record<LimitKind, number>> = {};
  for (const kind of LIMIT_KINDS) {
    const n = shape.positiveInt(obj, kind, path);
    if (n !== undefined) limits[kind] = n;
  }
  if (LIMIT_KINDS.every((kind) => obj[kind] === undefined)) {
    shape.problem(path, `sets no limit (give at least one of ${LIMIT_KINDS.join(', ')})`);
  }
  if (name === undefined || per === undefined) return undefined;
  return { name, per, ...(models ? { models } : {}), limits };
}

function checkIdentity(shape: ShapeCheck, value: unknown): LimitsConfig['identity'] {
  if (value === undefined || value === null) return { callerClaim: 'sub' };
  const obj = shape.object(value, 'identity', IDENTITY_KEYS);
  if (!obj) return { callerClaim: 'sub' };
  const callerClaim = shape.string(obj, 'caller_claim', 'identity', false) ?? 'sub';
  const teamClaim = shape.string(obj, 'team_claim', 'identity', false);
  return teamClaim ? { callerClaim, teamClaim } : { callerClaim };
}

/** Checks parsed file contents; every mistake is reported at once (ConfigError), prefixed with the file name. */
export function parseLimits(data: unknown, path: string): LimitsConfig {
  const shape = new ShapeCheck(path);
  const top = shape.object(data, '', TOP_KEYS);
  if (!top) shape.throwIfAny();
  const root = top ?? {};
  const identity = checkIdentity(shape, root.identity);
  const rules: LimitRule[] = [];
  const seen = new Map<string, number>();
  (shape.list(root, 'rules', '', true) ?? []).forEach((item, i) => {
    const rule = checkRule(shape, item, `rules[${i}]`);
    if (!rule) return;
    const first = seen.get(rule.name);
    if (first !== undefined) shape.problem(`rules[${i}].name`, `duplicate rule name "${rule.name}" (also rules[${first}])`);
    else seen.set(rule.name, i);
    rules.push(rule);
  });
  const defaultMaxTokens = shape.positiveInt(root, 'default_max_tokens', '') ?? DEFAULT_MAX_TOKENS;
  shape.throwIfAny();
  return { identity, rules, defaultMaxTokens };
}

/** Reads and checks the limits file; throws ConfigError naming the file and every bad key path. */
export function loadLimitsFile(path: string): LimitsConfig {
  return parseLimits(readDataFile(path, 'LIMITS_CONFIG_PATH'), path);
}
