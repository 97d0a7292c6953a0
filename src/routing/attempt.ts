/**
 * The exchange as the engine's attempt: one chat exchange per attempt (its summary lands in the
 * request's record like any other), with the route's stream deadlines on the exchange's own timer, and
 * the stream handed over a provider read at a time. Routing never reaches inside the exchange: it
 * opens it, reads it, and abandons it.
 */
import { chatExchange, type ChatClient, MAX_JSON_ANSWER } from '../chat/forward.ts';
import { checkVision } from '../chat/policy.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { Exchange, SseBatch } from '../exchange/exchange.ts';
import { clientGoneError } from '../exchange/failure.ts';
import { requireUsableProvider } from '../providers/registry.ts';
import type { ChatRequest } from '../schemas.ts';
import { NEVER_ABORTED } from './clock.ts';
import type { Deployment } from './config.ts';
import type { AttemptSequel, EngineResult, OpenedAttempt, RunCaller, StreamLimits } from './contract.ts';

/** Longest stream read after `[DONE]` to let the connection go back to the pool. */
const MAX_DRAIN_READS = 16;

/**
 * The attempts of one client's chat, one exchange each; what is made of the answer is the caller's
 * (`finish`). One object per request, holding what its attempts need.
 */
export abstract class ChatAttempts<R> implements RunCaller<R> {
  private count = 0;

  constructor(
    private readonly ctx: GatewayContext,
    protected readonly client: ChatClient,
  ) {}

  abstract finish(result: EngineResult): R;

  open<T>(d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits, then: AttemptSequel<T>): Promise<T> {
    return openExchange(this.ctx, this.client, this.count++ > 0, d, body, signal, limits, then);
  }
}

/**
 * One attempt: the exchange opened, and a JSON answer read whole or the stream handed over; the
 * outcome goes to `then`. The only frame that waits on the provider (see AttemptSequel).
 */
async function openExchange<T>(ctx: GatewayContext, client: ChatClient, again: boolean, d: Deployment, body: ChatRequest, signal: AbortSignal, limits: StreamLimits, then: AttemptSequel<T>): Promise<T> {
  let opened: OpenedAttempt;
  let release = NO_RELEASE;
  try {
    // Between attempts (after a backoff) nothing else watches the client: no attempt for one who left.
    if (again && client.signal.aborted) throw clientGoneError();
    const provider = requireUsableProvider(ctx.registry, d.provider);
    checkVision(ctx.config.enableVision, provider, body.messages);
    const exchange = chatExchange(ctx, provider, body, client);
    if (body.stream === true) exchange.bound(limits.firstTokenTimeoutMs, limits.stallTimeoutMs);
    // A caller's signal ends the exchange (the client left); the engine's own has nothing to listen to.
    if (signal !== NEVER_ABORTED) release = watch(exchange, signal);
    await exchange.open();
    if (body.stream === true && exchange.isEventStream) opened = new ExchangeStream(exchange, release);
    else {
      const { text, json } = await exchange.json(MAX_JSON_ANSWER);
      release();
      opened = { kind: 'json', status: exchange.answer.status, json, text };
    }
  } catch (e) {
    release();
    return then.failed(e);
  }
  return then.opened(opened);
}

/** Links the caller's signal to the exchange until the returned release is called. */
function watch(exchange: Exchange, signal: AbortSignal): () => void {
  const onAbort = (): void => exchange.abort(clientGoneError());
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

const NO_RELEASE = (): void => undefined;

/** The stream's reads, straight from the exchange: routing reads them, the exchange keeps their deadlines. */
class ExchangeStream {
  readonly kind = 'stream';
  readonly status: number;

  constructor(
    private readonly exchange: Exchange,
    private readonly release: () => void,
  ) {
    this.status = exchange.answer.status;
  }

  read(): Promise<SseBatch | undefined> {
    return this.exchange.nextBatch();
  }

  contentArrived(): void {
    this.exchange.contentArrived();
  }

  finish(): void {
    this.release();
    if (!this.exchange.ended) void drain(this.exchange);
  }

  abort(why?: GatewayError): void {
    this.release();
    if (!this.exchange.ended) this.exchange.abort(why);
  }
}

/** Reads what follows `[DONE]` (usually just the body's end), so that the connection can be reused. */
async function drain(exchange: Exchange): Promise<void> {
  try {
    for (let i = 0; i < MAX_DRAIN_READS; i++) if ((await exchange.nextBatch()) === undefined) return;
    exchange.abort();
  } catch {
    // Whatever came after the answer's end is of no interest.
  }
}
