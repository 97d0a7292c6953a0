/** Shared by the limits tests: a hand-driven clock, a logger that keeps its lines, temp files, limiters on either store. */
import { afterAll, beforeAll } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../../src/limits/identity.ts';
import { Limiter, type FailMode, type LimitsObserver } from '../../src/limits/limiter.ts';
import { parseLimits } from '../../src/limits/limits-file.ts';
import { MemoryLimitStore } from '../../src/limits/memory-store.ts';
import { RedisLimitStore } from '../../src/limits/redis-store.ts';
import type { LimitStore } from '../../src/limits/store.ts';
import { createLogger, type Logger } from '../../src/telemetry/log.ts';
import { REDIS_MISSING, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';

/** A clock the test moves; starts at a minute boundary (plus `offsetMs`) so window positions are known. */
export class TestClock {
  ms: number;
  constructor(offsetMs = 0) {
    this.ms = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + offsetMs;
  }
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A logger whose lines the test can read. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('debug', (line) => lines.push(line)), lines };
}

/** A temporary directory removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `text` to `name` in `dir` and returns the path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Counts what a limiter reports to its observer. */
export class CountingObserver implements LimitsObserver {
  readonly limitedBy: string[] = [];
  storeErrors = 0;
  failOpen = 0;
  limited(rule: string): void {
    this.limitedBy.push(rule);
  }
  storeError(): void {
    this.storeErrors++;
  }
  failedOpen(): void {
    this.failOpen++;
  }
}

/** An identity from a token, for tests. */
export function caller(name: string, teams: string[] = []): Identity {
  return { caller: name, teams, source: 'token' };
}

/** A limiter over `store` with rules written as the file would hold them (YAML). */
export function limiterWith(store: LimitStore, yaml: string, opts: { clock: TestClock; failMode?: FailMode; observer?: LimitsObserver; logger?: Logger }): Limiter {
  const config = parseLimits(Bun.YAML.parse(yaml), 'limits.yaml');
  return new Limiter(config, store, {
    failMode: opts.failMode ?? 'open',
    logger: opts.logger ?? recordingLogger().logger,
    now: opts.clock.now,
    ...(opts.observer ? { observer: opts.observer } : {}),
  });
}

/** A key prefix of its own, so tests sharing one server never see each other's counts (replicas share one). */
export function uniquePrefix(): string {
  return `test:${crypto.randomUUID()}:`;
}

/** A Redis store under `prefix`, reconnecting quickly (tests restart Redis), patient with a busy machine. */
export function redisStore(url: string, prefix: string, timeoutMs = 2000): RedisLimitStore {
  return new RedisLimitStore(url, { keyPrefix: prefix, timeoutMs, reconnectIntervalMs: 100 });
}

/** A memory store, named like redisStore for test tables. */
export function memoryStore(): MemoryLimitStore {
  return new MemoryLimitStore();
}

/**
 * The stores a test file runs its table against: memory, and Redis on a real redis-server (started for
 * the file, stopped after it) when one is installed.
 */
export function storesUnderTest(): [string, () => LimitStore][] {
  let redis: RedisServer | undefined;
  if (!REDIS_SERVER) console.warn(REDIS_MISSING);
  beforeAll(async () => {
    if (REDIS_SERVER) redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return [['memory', memoryStore], ...(REDIS_SERVER ? ([['redis', () => redisStore(redis!.url(), uniquePrefix())]] as [string, () => LimitStore][]) : [])];
}
