/**
 * What the failover engine and its attempts say to each other: an attempt opens one deployment and
 * hands its outcome on (AttemptSequel); the engine takes it as far as content (Started) and gives its
 * caller the answer (EngineResult). The engine knows nothing of HTTP: the exchange's side is
 * attempt.ts, the tests' is a scripted fake.
 */
import type { GatewayError } from '../errors.ts';
import type { SseBatch } from '../exchange/exchange.ts';
import type { ChatRequest } from '../schemas.ts';
import type { Deployment, RouteSettings } from './config.ts';
import type { RoutedStream } from './relay.ts';

/** An attempt whose answer started: a whole JSON answer, or a stream to read a provider read at a time. */
export type OpenedAttempt =
  | { kind: 'json'; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      status: number;
      /**
       * The next read's events (parsed; malformed ones dropped), undefined at the body's end. Throws the
       * GatewayError of a cut, of the first-token deadline (until `contentArrived`) or of stall_timeout.
       */
      read(): Promise<SseBatch | undefined>;
      /** The first content came: from now on each read is bounded by stall_timeout; throws when the deadline had already ended the attempt. */
      contentArrived(): void;
      /** The stream is over for the gateway (its `[DONE]` or its end was read): the connection may go back to the pool. */
      finish(): void;
      /** Abandons the attempt; `why` is what its pending read fails with and what its summary records. */
      abort(why?: GatewayError): void;
    };

/**
 * What an attempt hands its outcome to, last: `opened` once its answer started, `failed` with what
 * ended it before. The attempt returns what they give, so that nothing but the attempt itself waits
 * on the provider (each promise, closure or frame that waits costs every request: bench/README.md,
 * "Routing's first attempt").
 */
export interface AttemptSequel<T> {
  opened(opened: OpenedAttempt): T | Promise<T>;
  failed(failure: unknown): T | Promise<T>;
}

/**
 * One attempt at one deployment, its outcome handed to `then` (a failure before the answer started
 * is a GatewayError). A stream's attempt keeps `limits` itself (first_token_timeout until its
 * content came, stall_timeout on each read after).
 */
export type OpenAttempt = <T>(d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits, then: AttemptSequel<T>) => Promise<T>;

/** Who runs a request: how its attempts are opened, and what is made of its answer. */
export interface RunCaller<R> {
  readonly open: OpenAttempt;
  finish(result: EngineResult): R;
}

/** A route's bounds on a stream, in ms (0: none). */
export type StreamLimits = Pick<RouteSettings, 'firstTokenTimeoutMs' | 'stallTimeoutMs'>;


/** The answer, and the deployment that served it (for `x-served-by` and the answer's `model`). */
export type EngineResult =
  | { kind: 'json'; servedBy: Deployment; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      servedBy: Deployment;
      status: number;
      /** The provider reads, relayed (continued elsewhere when the stream broke); `close` when the client left. */
      items: RoutedStream;
    };


/** An attempt that got as far as content: the JSON answer, or the stream with the reads up to its first content. */
export type Started =
  | { kind: 'json'; status: number; json: unknown; text: string }
  | {
      kind: 'stream';
      status: number;
      opened: Extract<OpenedAttempt, { kind: 'stream' }>;
      /** The reads so far, the last one holding the first content (or the stream's end). */
      prelude: SseBatch[];
      /** The body ended within the prelude, without content. */
      ended: boolean;
    };

