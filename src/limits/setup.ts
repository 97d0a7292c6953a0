/** Builds an app's limiter from its settings: the limits file, and Redis when REDIS_URL is set, else memory. */
import { ConfigError } from '../config.ts';
import type { Logger } from '../telemetry/log.ts';
import { Limiter, type FailMode, type LimitsObserver } from './limiter.ts';
import { loadLimitsFile } from './limits-file.ts';

/** What re-reading the limits file did (SIGHUP): the rules now in force, or why the new file was refused (the old rules stay). */
export type LimitsReload = { ok: true; rules: number } | { ok: false; problems: string[] };
import { MemoryLimitStore } from './memory-store.ts';
import { RedisLimitStore, type RedisStoreOptions } from './redis-store.ts';
import type { LimitStore } from './store.ts';

/** The settings the limits read (LIMITS_CONFIG_PATH, REDIS_URL, LIMITS_FAIL_MODE). */
export interface LimitsSettings {
  configPath: string;
  redisUrl?: string;
  failMode: FailMode;
}

/** Extra wiring for tests and metrics. */
export interface LimitsDeps {
  logger: Logger;
  observer?: LimitsObserver;
  now?: () => number;
  redis?: Partial<RedisStoreOptions>;
}

/** A problem with REDIS_URL, or undefined; the message never repeats the URL (it may hold a password). */
export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'REDIS_URL: not a URL (expected redis://[:password@]host[:port][/db] or rediss://...)';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return `REDIS_URL: scheme must be redis:// or rediss://, got ${parsed.protocol}//`;
  if (parsed.hostname === '') return 'REDIS_URL: has no host';
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) return 'REDIS_URL: the path must be a database number (/0 ... /15)';
  return undefined;
}

/** The URL's host and port, for logs (never its password). */
function redisTarget(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.length > 1 ? u.pathname : ''}`;
}

/** A limiter over Redis (REDIS_URL) or memory; throws ConfigError for a bad file or URL. */
export function createLimiter(settings: LimitsSettings, deps: LimitsDeps): Limiter {
  const config = loadLimitsFile(settings.configPath);
  let store: LimitStore;
  if (settings.redisUrl) {
    const problem = redisUrlProblem(settings.redisUrl);
    if (problem) throw new ConfigError([problem]);
    const observer = deps.observer;
    const onRoundTrip = observer?.storeRoundTrip ? (seconds: number) => observer.storeRoundTrip?.(seconds) : undefined;
    const target = redisTarget(settings.redisUrl);
    const onConnected = () => deps.logger.info('limits store connected', { redis: target });
    store = new RedisLimitStore(settings.redisUrl, { onConnected, ...deps.redis, ...(onRoundTrip ? { onRoundTrip } : {}) });
    deps.logger.info('limits shared through Redis', { redis: target, rules: config.rules.length, fail_mode: settings.failMode });
  } else {
    store = new MemoryLimitStore();
    deps.logger.info('limits kept in memory (this process only; set REDIS_URL to share them)', { rules: config.rules.length });
  }
  return new Limiter(config, store, { failMode: settings.failMode, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}), ...(deps.observer ? { observer: deps.observer } : {}) });
}

/** Re-reads the limits file into a running limiter; a bad file leaves the current rules in force and says why. */
export function reloadLimits(limiter: Limiter, path: string): LimitsReload {
  try {
    const config = loadLimitsFile(path);
    limiter.reload(config);
    return { ok: true, rules: config.rules.length };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problems: err.problems };
    throw err;
  }
}
