/**
 * One exchange with one provider: send under the gateway's deadlines, then hand back the answer as checked
 * JSON, as parsed stream events (malformed ones dropped), or as raw bytes (proxy). Every route and the
 * agent loop go through this, and routing wraps it: an exchange is a value that is opened, observed
 * (`summary`, which telemetry reads) and can be abandoned (`abort`).
 *
 *   const ex = new Exchange(ctx.exchanges, { provider, method: 'POST', request, body });
 *   await ex.open();                 // headers in; a provider error status throws its GatewayError
 *   const { json } = await ex.json(); // or: for await (const ev of ex.events()) …, or ex.nextBatch()
 */
import type { ErrorCode } from '../errors.ts';
import { GatewayError } from '../errors.ts';
import { AS_BYTES, AS_TEXT, readWhole, type BodyForm } from '../http/bytes.ts';
import type { Provider } from '../providers/registry.ts';
import type { ProviderRequest } from '../providers/request.ts';
import { clientGoneError, cutError, providerError, timeoutError, unreachableError, type TimeoutPhase } from './failure.ts';
import { MAX_BLOCK_BYTES, parseBlock, SseBlockTooLarge, SseParser, type SseBlock } from './sse-parser.ts';
import { mergeUsage, usageOf, type TokenUsage } from './usage.ts';

/** Bounds on a provider's answer (CLIENT_* settings). */
export interface UpstreamTimeouts {
  /** Bound on the wait for the response headers. */
  headerTimeoutMs: number;
  /** Bound on a whole non-streamed answer, and on each gap of a stream. */
  timeoutMs: number;
  disableCompression: boolean;
}

/** What every exchange of one app shares: its bounds, and where dropped events are reported. */
export interface ExchangeDeps {
  timeouts: UpstreamTimeouts;
  /** A malformed stream event was dropped (logged and counted by the app). */
  onDropped(provider: Provider, why: string): void;
}

export interface ExchangeSpec {
  provider: Provider;
  method: string;
  request: ProviderRequest;
  body?: BodyInit | null;
  /** The model as the provider knows it, for the summary. */
  model?: string;
  /** The client's signal: when it aborts (the client went away), so does the exchange. */
  client?: AbortSignal;
  /** Overrides of the app's bounds (the model list has its own deadline). */
  timeouts?: Partial<UpstreamTimeouts>;
}

/** What telemetry and routing learn from one exchange. Times are milliseconds from `startedAt`. */
export interface ExchangeSummary {
  provider: string;
  model?: string;
  startedAt: number;
  headersMs?: number;
  firstEventMs?: number;
  durationMs?: number;
  status?: number;
  usage?: TokenUsage;
  outcome: 'pending' | 'ok' | 'error' | 'client_gone';
  errorCode?: ErrorCode;
  droppedEvents: number;
}

/** A data event of a stream, its JSON parsed (`[DONE]` has `done` and no JSON). */
export interface StreamEvent extends SseBlock {
  data: string;
  json?: unknown;
  done?: boolean;
}

/** What one read of a stream gave: its blocks, and the read's bytes when they are exactly those blocks. */
export interface SseBatch {
  /** Comments and events, in order; malformed events are not here. */
  blocks: (SseBlock | StreamEvent)[];
  /** The read's own bytes, set when the blocks are all of them (nothing held, nothing dropped). */
  whole?: Uint8Array;
}

const MAX_ERROR_BODY = 64 * 1024;
const DONE_DATA = '[DONE]';

export class Exchange {
  readonly summary: ExchangeSummary;
  private readonly controller = new AbortController();
  private readonly timeouts: UpstreamTimeouts;
  /** The deadline of the phase under way (headers, the whole body, the next stream read). */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private phase: TimeoutPhase = 'headers';
  /** The bound of the current phase, for the timeout's reason. */
  private waitMs = 0;
  /** Routing's first-token deadline (performance.now() ms; Infinity: none, or the content came). */
  private firstBy = Number.POSITIVE_INFINITY;
  private firstTokenMs = 0;
  /** Routing's bound on each stream read once the content came (0: CLIENT_TIMEOUT alone). */
  private stallMs = 0;
  /** The timer set last is the first-token deadline, not the phase's own bound. */
  private capped = false;
  /** Set when a deadline, the client or `abort` ended the exchange; what any pending read then fails with. */
  private failure: GatewayError | undefined;
  private response: Response | undefined;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private parser: SseParser | undefined;
  private streamEnded = false;
  /** A `[DONE]` event was seen. */
  sawDone = false;

  constructor(
    private readonly deps: ExchangeDeps,
    readonly spec: ExchangeSpec,
  ) {
    this.timeouts = spec.timeouts ? { ...deps.timeouts, ...spec.timeouts } : deps.timeouts;
    this.summary = { provider: spec.provider.id, model: spec.model, startedAt: performance.now(), outcome: 'pending', droppedEvents: 0 };
  }

  get provider(): Provider {
    return this.spec.provider;
  }

  /** The provider's response (after `open`). */
  get answer(): Response {
    if (!this.response) throw new Error('exchange not open');
    return this.response;
  }

  /** True when the provider answered with an event stream. */
  get isEventStream(): boolean {
    return this.response?.headers.get('content-type')?.includes('text/event-stream') ?? false;
  }

  /** True once the exchange is over: answered, failed or abandoned. */
  get ended(): boolean {
    return this.summary.outcome !== 'pending';
  }

  /**
   * Routing's bounds on a stream (0: none): until `contentArrived`, every wait, headers included, ends
   * within `firstTokenMs` of the exchange's start; after it, each read within `stallMs`. They ride on
   * the timer each phase sets anyway: no timer of their own (one costs every request).
   */
  bound(firstTokenMs: number, stallMs: number): void {
    this.firstTokenMs = firstTokenMs;
    this.firstBy = firstTokenMs > 0 ? this.summary.startedAt + firstTokenMs : Number.POSITIVE_INFINITY;
    this.stallMs = stallMs;
  }

  /** The stream's first content arrived: the first-token deadline is met; throws the failure of an exchange already ended by it. */
  contentArrived(): void {
    if (this.failure) throw this.failure;
    this.firstBy = Number.POSITIVE_INFINITY;
  }

  /** Sends the request; resolves once headers arrive, whatever the status (the raw relay's form). */
  async openAny(): Promise<Response> {
    const t = this.timeouts;
    const headerWait = t.headerTimeoutMs > 0 && t.timeoutMs > 0 ? Math.min(t.headerTimeoutMs, t.timeoutMs) : Math.max(t.headerTimeoutMs, t.timeoutMs);
    const client = this.spec.client;
    if (client?.aborted) throw this.fail(clientGoneError());
    client?.addEventListener('abort', this.onClientGone, { once: true });
    this.arm(headerWait);
    const { request } = this.spec;
    const headers = t.disableCompression && request.headers['accept-encoding'] !== 'identity' ? { ...request.headers, 'accept-encoding': 'identity' } : request.headers;
    try {
      this.response = await fetch(request.url, {
        method: this.spec.method,
        headers,
        body: this.spec.body ?? null,
        signal: this.controller.signal,
        redirect: 'manual',
        session: this.spec.provider.session,
      });
    } catch (err) {
      throw this.fail(this.failure ?? unreachableError(this.provider, err));
    }
    // The header wait is over; each read of the body has its own deadline.
    clearTimeout(this.timer);
    this.summary.headersMs = performance.now() - this.summary.startedAt;
    this.summary.status = this.response.status;
    return this.response;
  }

  /** Sends the request; a provider error status becomes its GatewayError (with the provider's words). */
  async open(): Promise<this> {
    const response = await this.openAny();
    if (response.ok) return this;
    let body: Uint8Array = new Uint8Array();
    try {
      body = await this.readBody(AS_BYTES, MAX_ERROR_BODY);
    } catch {
      // An unreadable error body still leaves its status to report.
    }
    throw this.fail(providerError(this.provider, response.status, body, response.headers));
  }

  /** The whole answer as text, read within what is left of CLIENT_TIMEOUT. */
  async text(maxBytes: number): Promise<string> {
    const text = await this.readBody(AS_TEXT, maxBytes);
    this.end('ok');
    return text;
  }

  /** The whole answer, checked to be JSON (502 when it is not); `text` is what a client can be given as is. */
  async json(maxBytes: number): Promise<{ text: string; json: unknown }> {
    const text = await this.readBody(AS_TEXT, maxBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw this.fail(
        new GatewayError(502, 'upstream_invalid', `Provider ${this.provider.id} returned a response that is not valid JSON`, {
          cause,
          reason: `${this.provider.id} answered ${text.length} characters that do not parse as JSON`,
        }),
      );
    }
    const usage = usageOf(json);
    if (usage) this.summary.usage = usage;
    this.end('ok');
    return { text, json };
  }

  /**
   * The next read of an event stream, parsed; undefined once it ended cleanly. Throws the GatewayError of
   * a cut, a stall (CLIENT_TIMEOUT between reads), an oversized event or a client that left.
   */
  async nextBatch(): Promise<SseBatch | undefined> {
    if (this.streamEnded) return undefined;
    this.parser ??= new SseParser();
    const parser = this.parser;
    for (;;) {
      const heldBefore = parser.held;
      const chunk = await this.read();
      if (chunk === undefined) {
        this.streamEnded = true;
        const last = parser.end();
        if (!last) {
          this.end('ok');
          return undefined;
        }
        // The provider's last event lacked its blank line: the gateway completes the framing. One that
        // does not parse was cut off, not merely left unterminated.
        const blocks = this.accept([parseBlock(`${last.text}\n\n`)], false);
        if (blocks.length === 0) throw this.fail(cutError(this.provider, new Error('the stream ended inside an event'), true));
        this.end('ok');
        return { blocks };
      }
      let raw: SseBlock[];
      try {
        raw = parser.push(chunk);
      } catch (err) {
        if (!(err instanceof SseBlockTooLarge)) throw err;
        this.abort();
        throw this.fail(
          new GatewayError(502, 'upstream_stream_error', 'Provider sent a malformed stream event', { cause: err, reason: `${this.provider.id}: an event passed ${MAX_BLOCK_BYTES} bytes` }),
        );
      }
      if (raw.length === 0) continue;
      const blocks = this.accept(raw);
      const whole = heldBefore === 0 && parser.held === 0 && blocks.length === raw.length ? chunk : undefined;
      return { blocks, whole };
    }
  }

  /** The stream's data events (JSON parsed, malformed dropped), for the loops that read rather than relay. */
  async *events(): AsyncGenerator<StreamEvent> {
    try {
      for (let batch = await this.nextBatch(); batch; batch = await this.nextBatch()) {
        for (const block of batch.blocks) if (block.data !== undefined) yield block as StreamEvent;
      }
    } finally {
      // Left early (the loop stopped, the client went away): the rest is not wanted.
      if (!this.streamEnded) this.abort();
    }
  }

  /** The next raw chunk of the body (the proxy's relay); undefined at its end. */
  async nextRaw(): Promise<Uint8Array | undefined> {
    const chunk = await this.read();
    if (chunk === undefined) this.end('ok');
    return chunk;
  }

  /** Ends the exchange now, closing the provider's connection; `why` (default: the client left) is what pending reads fail with. */
  abort(why: GatewayError = clientGoneError()): void {
    this.stop(why);
    this.fail(this.failure ?? why);
  }

  /** Marks how the exchange ended, once. */
  private end(outcome: ExchangeSummary['outcome'], code?: ErrorCode): void {
    if (this.summary.outcome !== 'pending') return;
    this.summary.outcome = outcome;
    if (code) this.summary.errorCode = code;
    this.summary.durationMs = performance.now() - this.summary.startedAt;
    clearTimeout(this.timer);
    // The client listener stays: it is `once`, it dies with the request's signal, and a late call finds
    // the exchange ended and does nothing. Removing it cost 2–14% of a plain chat's CPU (paired A/B,
    // two runs of 14 turns).
  }

  private fail(err: GatewayError): GatewayError {
    this.end(err.code === 'client_gone' ? 'client_gone' : 'error', err.code);
    return err;
  }

  /** Starts the deadline of the next phase, `ms` from now (0: none), or the first-token deadline when that comes sooner. */
  private arm(ms: number): void {
    this.waitMs = ms;
    clearTimeout(this.timer);
    let wait = ms;
    this.capped = false;
    if (this.firstBy !== Number.POSITIVE_INFINITY) {
      const left = Math.max(1, this.firstBy - performance.now());
      if (wait <= 0 || left < wait) {
        wait = left;
        this.capped = true;
      }
    }
    this.timer = wait > 0 ? setTimeout(this.onDeadline, wait) : undefined;
  }

  private readonly onDeadline = (): void =>
    this.stop(this.capped ? timeoutError(this.provider, 'first_token', this.firstTokenMs) : timeoutError(this.provider, this.phase, Math.round(this.waitMs)));

  private readonly onClientGone = (): void => {
    if (this.summary.outcome === 'pending') this.stop(clientGoneError());
  };

  /** Ends the provider's side at once; pending reads fail with `why`. */
  private stop(why: GatewayError): void {
    this.failure ??= why;
    this.controller.abort(this.failure);
    void this.reader?.cancel().catch(() => undefined);
  }

  /** Keeps the well-formed blocks, parsing each event's JSON; a malformed event is dropped and reported. */
  private accept(blocks: SseBlock[], reportDropped = true): (SseBlock | StreamEvent)[] {
    const kept: (SseBlock | StreamEvent)[] = [];
    for (const block of blocks) {
      if (block.data === undefined) {
        kept.push(block);
        continue;
      }
      const event = block as StreamEvent;
      if (event.data === DONE_DATA) {
        event.done = true;
        this.sawDone = true;
      } else {
        try {
          event.json = JSON.parse(event.data);
        } catch {
          if (!reportDropped) continue;
          this.summary.droppedEvents++;
          this.deps.onDropped(this.provider, `an event whose data is not JSON (${event.data.length} characters)`);
          continue;
        }
        const usage = usageOf(event.json);
        if (usage) this.summary.usage = mergeUsage(this.summary.usage, usage);
      }
      this.summary.firstEventMs ??= performance.now() - this.summary.startedAt;
      kept.push(event);
    }
    return kept;
  }

  /** One read of the body within CLIENT_TIMEOUT; undefined at its end. */
  private async read(): Promise<Uint8Array | undefined> {
    if (this.failure) throw this.failure;
    const body = this.answer.body;
    if (!body) return undefined;
    this.reader ??= body.getReader();
    const t = this.timeouts.timeoutMs;
    const stall = this.stallMs;
    this.phase = stall > 0 && (t <= 0 || stall < t) ? 'stall' : 'stream';
    this.arm(this.phase === 'stall' ? stall : t);
    try {
      const { done, value } = await this.reader.read();
      return done ? undefined : value;
    } catch (err) {
      throw this.fail(this.failure ?? (err instanceof GatewayError ? err : cutError(this.provider, err, true)));
    } finally {
      // No deadline while the caller (a slow client) takes its time.
      clearTimeout(this.timer);
    }
  }

  /** A whole body, within what is left of CLIENT_TIMEOUT since the exchange started. */
  private async readBody<T>(form: BodyForm<T>, maxBytes: number): Promise<T> {
    if (this.failure) throw this.failure;
    this.phase = 'body';
    const response = this.answer;
    const t = this.timeouts.timeoutMs;
    // What is left of CLIENT_TIMEOUT since the exchange started.
    if (t > 0) {
      this.arm(Math.max(1, t - (performance.now() - this.summary.startedAt)));
      this.waitMs = t;
    }
    // A compressed body's declared length does not bound its decoded size.
    const declared = response.headers.get('content-length');
    const lengthBounds = declared !== null && Number(declared) <= maxBytes && !response.headers.has('content-encoding');
    try {
      return await readWhole(response, lengthBounds, form, maxBytes, () => {
        throw new GatewayError(502, 'upstream_too_large', 'Upstream response is too large', { reason: `${this.provider.id} answered more than ${maxBytes} bytes` });
      });
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'upstream_too_large') this.controller.abort(err);
      throw this.fail(this.failure ?? (err instanceof GatewayError ? err : cutError(this.provider, err, false)));
    }
  }
}
