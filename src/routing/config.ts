/**
 * The routing file's shape and its validation. The Go gateway's file (`models.<alias>.strategy` and
 * `deployments[{provider, model}]`) is a subset, so it works unchanged; every mistake is collected with
 * its key path so that one start-up tells the operator everything to fix.
 */
import { parseDuration } from '../duration.ts';
import { isRecord } from '../json.ts';

/** How the first deployment of a request is chosen; the rest follow in file order. */
export type Strategy = 'fallback' | 'round_robin' | 'weighted';

/** One provider/model behind an alias. */
export interface Deployment {
  provider: string;
  model: string;
  /** Share of first picks under `weighted`. */
  weight: number;
  /** Accepts an assistant prefill, so a broken stream may be continued here. */
  prefill: boolean;
  /** `provider/model`: the breaker's and the metrics' name for it. */
  key: string;
}

/** When a deployment is taken out of rotation, and for how long. */
export interface BreakerSettings {
  failures: number;
  cooldownMs: number;
}

/** The per-alias knobs (and the `defaults` block's). */
export interface RouteSettings {
  /** Extra attempts on one deployment for retryable failures. */
  retries: number;
  firstTokenTimeoutMs: number;
  stallTimeoutMs: number;
  maxRetryAfterMs: number;
  breaker: BreakerSettings;
}

/** An alias after validation. */
export interface Route {
  alias: string;
  strategy: Strategy;
  deployments: Deployment[];
  settings: RouteSettings;
}

/** The whole file after validation. */
export interface RoutingTable {
  routes: ReadonlyMap<string, Route>;
  /** For aliases that leave a key out and for plain `provider/model` requests. */
  defaults: RouteSettings;
  defaultStrategy: Strategy;
}

/** Which providers a deployment may name: `all` are known, `usable` have what they need (a key). */
export interface ProviderIds {
  all: ReadonlySet<string>;
  usable: ReadonlySet<string>;
}

/** Used where neither the alias nor `defaults` says otherwise. */
export const BUILT_IN_SETTINGS: RouteSettings = {
  retries: 1,
  firstTokenTimeoutMs: 30_000,
  stallTimeoutMs: 30_000,
  maxRetryAfterMs: 10_000,
  breaker: { failures: 5, cooldownMs: 30_000 },
};

const STRATEGIES: readonly string[] = ['fallback', 'round_robin', 'weighted'];
const SETTING_KEYS = ['strategy', 'retries', 'first_token_timeout', 'stall_timeout', 'max_retry_after', 'breaker'];
const ALIAS_KEYS = [...SETTING_KEYS, 'deployments'];
const DEPLOYMENT_KEYS = ['provider', 'model', 'weight', 'prefill'];
const BREAKER_KEYS = ['failures', 'cooldown'];
/** More than this many extra attempts on one deployment only multiplies a user's wait. */
const MAX_RETRIES = 10;

/** Collects mistakes with the file name in front. */
class Problems {
  readonly list: string[] = [];
  constructor(private readonly file: string) {}
  add(path: string, message: string): void {
    this.list.push(path === '' ? `${this.file}: ${message}` : `${this.file}: ${path}: ${message}`);
  }
}

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string, p: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) p.add(path === '' ? key : `${path}.${key}`, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function durationAt(obj: Record<string, unknown>, key: string, path: string, fallback: number, p: Problems): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  const ms = typeof v === 'string' ? parseDuration(v) : v === 0 ? 0 : undefined;
  if (ms === undefined) {
    p.add(`${path}.${key}`, `expected a duration like "10s" or "1m30s", got ${JSON.stringify(v)}`);
    return fallback;
  }
  return ms;
}

function intAt(obj: Record<string, unknown>, key: string, path: string, range: [number, number], fallback: number, p: Problems): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
    p.add(`${path}.${key}`, `expected a whole number from ${range[0]} to ${range[1]}, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return v;
}

function strategyAt(obj: Record<string, unknown>, path: string, fallback: Strategy, p: Problems): Strategy {
  const v = obj.strategy;
  if (v === undefined) return fallback;
  if (typeof v === 'string' && STRATEGIES.includes(v)) return v as Strategy;
  p.add(`${path}.strategy`, `unknown strategy ${JSON.stringify(v)} (expected one of ${STRATEGIES.join(', ')})`);
  return fallback;
}

function settingsAt(obj: Record<string, unknown>, path: string, base: RouteSettings, p: Problems): RouteSettings {
  let breaker = base.breaker;
  const b = obj.breaker;
  if (b !== undefined) {
    if (!isRecord(b)) p.add(`${path}.breaker`, 'expected a map with failures and cooldown');
    else {
      unknownKeys(b, BREAKER_KEYS, `${path}.breaker`, p);
      breaker = {
        failures: intAt(b, 'failures', `${path}.breaker`, [1, 1000], base.breaker.failures, p),
        cooldownMs: durationAt(b, 'cooldown', `${path}.breaker`, base.breaker.cooldownMs, p),
      };
    }
  }
  return {
    retries: intAt(obj, 'retries', path, [0, MAX_RETRIES], base.retries, p),
    firstTokenTimeoutMs: durationAt(obj, 'first_token_timeout', path, base.firstTokenTimeoutMs, p),
    stallTimeoutMs: durationAt(obj, 'stall_timeout', path, base.stallTimeoutMs, p),
    maxRetryAfterMs: durationAt(obj, 'max_retry_after', path, base.maxRetryAfterMs, p),
    breaker,
  };
}

function deploymentAt(raw: unknown, path: string, ids: ProviderIds, p: Problems): Deployment | undefined {
  if (!isRecord(raw)) {
    p.add(path, 'expected a map with provider and model');
    return undefined;
  }
  unknownKeys(raw, DEPLOYMENT_KEYS, path, p);
  const { provider, model, weight = 1, prefill = false } = raw;
  let ok = true;
  if (typeof provider !== 'string' || provider === '') {
    p.add(`${path}.provider`, 'missing (a provider id such as "openai")');
    ok = false;
  } else if (!ids.all.has(provider)) {
    p.add(`${path}.provider`, `unknown provider ${JSON.stringify(provider)}`);
    ok = false;
  } else if (!ids.usable.has(provider)) {
    p.add(`${path}.provider`, `provider "${provider}" has no API key (set ${provider.toUpperCase()}_API_KEY)`);
    ok = false;
  }
  if (typeof model !== 'string' || model === '') {
    p.add(`${path}.model`, "missing (the provider's model name)");
    ok = false;
  }
  if (typeof weight !== 'number' || !(weight > 0) || !Number.isFinite(weight)) {
    p.add(`${path}.weight`, `expected a positive number, got ${JSON.stringify(weight)}`);
    ok = false;
  }
  if (typeof prefill !== 'boolean') {
    p.add(`${path}.prefill`, `expected true or false, got ${JSON.stringify(prefill)}`);
    ok = false;
  }
  if (!ok) return undefined;
  const m = model as string;
  const id = provider as string;
  return { provider: id, model: m, weight: weight as number, prefill: prefill as boolean, key: `${id}/${m}` };
}

function routeAt(alias: string, raw: unknown, table: Omit<RoutingTable, 'routes'>, ids: ProviderIds, p: Problems): Route | undefined {
  const path = `models.${alias}`;
  if (alias.includes('/') && ids.all.has(alias.slice(0, alias.indexOf('/')))) {
    p.add(path, 'an alias must not start with a provider id and "/" (such requests bypass aliases)');
  }
  if (!isRecord(raw)) {
    p.add(path, 'expected a map with deployments');
    return undefined;
  }
  unknownKeys(raw, ALIAS_KEYS, path, p);
  const strategy = strategyAt(raw, path, table.defaultStrategy, p);
  const settings = settingsAt(raw, path, table.defaults, p);
  const list = raw.deployments;
  if (!Array.isArray(list) || list.length === 0) {
    p.add(`${path}.deployments`, 'empty pool: list at least one {provider, model}');
    return undefined;
  }
  const deployments: Deployment[] = [];
  list.forEach((d, i) => {
    const dep = deploymentAt(d, `${path}.deployments[${i}]`, ids, p);
    if (dep && deployments.some((x) => x.key === dep.key)) p.add(`${path}.deployments[${i}]`, `${dep.key} is listed twice`);
    else if (dep) deployments.push(dep);
  });
  return { alias, strategy, deployments, settings };
}

/** Validates a parsed routing file; returns the table and every mistake found (empty when usable). */
export function validateRouting(doc: unknown, file: string, ids: ProviderIds): { table: RoutingTable; problems: string[] } {
  const p = new Problems(file);
  const root = isRecord(doc) ? doc : {};
  if (!isRecord(doc)) p.add('', 'expected a map with models (and optionally defaults)');
  unknownKeys(root, ['models', 'defaults'], '', p);
  const d = root.defaults;
  if (d !== undefined && !isRecord(d)) p.add('defaults', 'expected a map');
  const dmap = isRecord(d) ? d : {};
  unknownKeys(dmap, SETTING_KEYS, 'defaults', p);
  const base = {
    defaults: settingsAt(dmap, 'defaults', BUILT_IN_SETTINGS, p),
    defaultStrategy: strategyAt(dmap, 'defaults', 'round_robin', p),
  };
  const routes = new Map<string, Route>();
  const models = root.models;
  if (models !== undefined && !isRecord(models)) p.add('models', 'expected a map of alias → {deployments}');
  else if (models === undefined && d === undefined && isRecord(doc)) p.add('', 'no models: define at least one alias under models');
  for (const [alias, raw] of Object.entries(isRecord(models) ? models : {})) {
    const route = routeAt(alias, raw, base, ids, p);
    if (route) routes.set(alias, route);
  }
  return { table: { routes, ...base }, problems: p.list };
}
