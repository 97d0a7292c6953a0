/**
 * Deadlines and client hang-ups of upstream calls, watched on one shared clock. A timer per call and
 * phase (plus an abort listener on the client's signal) cost ~2 µs of CPU per chat and two timer
 * operations per streamed chunk; a watch is a plain object in a set, swept every TICK_MS.
 */
import { GatewayError, MESSAGES } from '../errors.ts';

/** Thrown when the client disconnected before the upstream answered; nothing is left to reply to. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** How late a deadline or a hang-up may be noticed. */
const TICK_MS = 20;

/**
 * Who an upstream call is for: a signal, or the client's Request itself, whose signal is then looked at
 * only once the call has outlived a sweep. Creating a served request's signal cost ~5 µs of CPU per
 * request (bench/ab.ts), and most calls end before it could matter.
 */
export type ClientLink = AbortSignal | Request;

/** True when the client went away (for a Request, this creates its signal). */
export function clientGone(client: ClientLink | undefined): boolean {
  if (client === undefined) return false;
  return client instanceof Request ? client.signal.aborted : client.aborted;
}

/** One phase of an upstream call under watch: it is aborted at `deadline` or when its client goes away. */
export class Watch {
  /** performance.now() time; Infinity while the clock is stopped (e.g. a slow client is reading). */
  deadline = Number.POSITIVE_INFINITY;
  /** Set when the deadline, not the client, ended the call. */
  timedOut = false;
  private sweeps = 0;

  constructor(
    private readonly controller: AbortController,
    private readonly client: ClientLink | undefined,
  ) {}

  /** True when it fired (and aborted the call). A hang-up is noticed within two sweeps. */
  check(now: number): boolean {
    if (this.sweeps++ > 0 && clientGone(this.client)) {
      this.controller.abort(new ClientGoneError('client disconnected'));
      return true;
    }
    if (now < this.deadline) return false;
    this.timedOut = true;
    this.controller.abort(new GatewayError(504, MESSAGES.timeout));
    return true;
  }
}

const watched = new Set<Watch>();
let clock: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const now = performance.now();
  for (const w of watched) if (w.check(now)) watched.delete(w);
  if (watched.size === 0 && clock !== undefined) {
    clearInterval(clock);
    clock = undefined;
  }
}

/** Starts watching a call's phase, `ms` from now (0 or less: no deadline, only the client). */
export function watch(controller: AbortController, client: ClientLink | undefined, ms: number): Watch {
  const w = new Watch(controller, client);
  if (ms > 0) w.deadline = performance.now() + ms;
  watched.add(w);
  clock ??= setInterval(sweep, TICK_MS);
  return w;
}

/** Stops watching (the phase is over). */
export function unwatch(w: Watch): void {
  watched.delete(w);
}
