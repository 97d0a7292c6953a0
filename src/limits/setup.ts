/** Builds an app's limiter from its settings: the limits file, and Redis when REDIS_URL is set, else memory. */
import { ConfigError } from '../config.ts';
import type { Logger } from '../telemetry/log.ts';
import { Limiter, type FailMode, type LimitsObserver } from './limiter.ts';
import { loadLimitsFile } from './limits-file.ts';
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
    store = new RedisLimitStore(settings.redisUrl, deps.redis);
    deps.logger.info('limits shared through Redis', { redis: redisTarget(settings.redisUrl), rules: config.rules.length, fail_mode: settings.failMode });
  } else {
    store = new MemoryLimitStore();
    deps.logger.info('limits kept in memory (this process only; set REDIS_URL to share them)', { rules: config.rules.length });
  }
  return new Limiter(config, store, { failMode: settings.failMode, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}), ...(deps.observer ? { observer: deps.observer } : {}) });
}
