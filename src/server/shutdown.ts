/** Graceful stop on SIGTERM/SIGINT: refuse new connections, let in-flight work finish up to a deadline, exit 0. */
import type { Server } from 'bun';
import type { Logger } from '../telemetry/log.ts';

/** What the drain needs: how to stop gently, how to stop now, and for how long to wait. */
export interface Drain {
  /** Stops listening and resolves once every in-flight request and stream has ended. */
  graceful(): Promise<void>;
  /** Closes whatever is still in flight. */
  force(): void;
  /** Other listeners (metrics) that close at once. */
  others: Server<undefined>[];
  timeoutMs: number;
  logger: Logger;
}

/** Exits once stdout has taken the last log lines (a pipe may hold them), or after a second at most. */
function exitAfterFlush(code: number, logger: Logger): void {
  const timer = setTimeout(() => process.exit(code), 1000);
  logger.flush();
  process.stdout.write('', () => {
    clearTimeout(timer);
    process.exit(code);
  });
}

/**
 * The first signal starts the drain; the process exits 0 when it ends or when the deadline cuts it.
 * A second signal (a second Ctrl-C) cuts it at once.
 */
export function drainOnSignals(d: Drain, exit: (code: number) => void = (code) => exitAfterFlush(code, d.logger)): void {
  let draining = false;
  const finish = (drained: boolean) => {
    d.logger.info('stopped', { drained });
    exit(0);
  };
  const cut = (reason: string) => {
    d.logger.warn(`${reason}: closing in-flight requests`);
    d.force();
    finish(false);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) return cut(`second ${signal}`);
    draining = true;
    d.logger.info('shutting down', { signal, timeout_ms: d.timeoutMs });
    for (const s of d.others) void s.stop(true);
    const deadline = setTimeout(() => cut('shutdown deadline passed'), d.timeoutMs);
    void d.graceful().then(() => {
      clearTimeout(deadline);
      finish(true);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
