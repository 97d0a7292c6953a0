/**
 * The exchange as the engine's OpenAttempt: one chat exchange per attempt (its summary lands in the
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
import type { OpenAttempt, OpenedAttempt } from './engine.ts';

/** Longest stream read after `[DONE]` to let the connection go back to the pool. */
const MAX_DRAIN_READS = 16;

/** The OpenAttempt of one client's chat. */
export function exchangeAttempt(ctx: GatewayContext, client: ChatClient): OpenAttempt {
  let attempts = 0;
  // Not async itself: the common attempt returns openExchange's promise as it is (each async layer costs every request).
  return (d, body, signal, limits) => {
    let exchange: Exchange;
    try {
      // Between attempts (after a backoff) nothing else watches the client: no attempt for one who left.
      if (attempts++ > 0 && client.signal.aborted) throw clientGoneError();
      const provider = requireUsableProvider(ctx.registry, d.provider);
      checkVision(ctx.config.enableVision, provider, body.messages);
      exchange = chatExchange(ctx, provider, body, client);
      if (body.stream === true) exchange.bound(limits.firstTokenTimeoutMs, limits.stallTimeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    // A caller's signal ends the exchange (the client left); the engine's own has nothing to listen to.
    if (signal === NEVER_ABORTED) return openExchange(exchange, body, NO_RELEASE);
    return openWatched(exchange, body, signal);
  };
}

/** Opens the exchange with the caller's signal linked to it until the answer is read or the stream ends. */
async function openWatched(exchange: Exchange, body: ChatRequest, signal: AbortSignal): Promise<OpenedAttempt> {
  const onAbort = (): void => exchange.abort(clientGoneError());
  signal.addEventListener('abort', onAbort, { once: true });
  const release = (): void => signal.removeEventListener('abort', onAbort);
  try {
    const opened = await openExchange(exchange, body, release);
    if (opened.kind === 'json') release();
    return opened;
  } catch (err) {
    release();
    throw err;
  }
}

const NO_RELEASE = (): void => undefined;

/** Opens the exchange and reads a JSON answer whole, or hands over its stream. */
async function openExchange(exchange: Exchange, body: ChatRequest, release: () => void): Promise<OpenedAttempt> {
  await exchange.open();
  if (body.stream === true && exchange.isEventStream) return new ExchangeStream(exchange, release);
  const { text, json } = await exchange.json(MAX_JSON_ANSWER);
  return { kind: 'json', status: exchange.answer.status, json, text };
}

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
