/**
 * Routing as the chat path uses it: an alias (or a plain `provider/model`, as a one-deployment route
 * with the file's defaults) served through the failover engine, the answer relayed with
 * `x-served-by: provider/model`. Built once per app when ROUTING_CONFIG_PATH is set and ROUTING_ENABLED
 * is not false; it owns the routing file (reloaded on SIGHUP), the breakers and the round-robin cursors.
 */
import type { ChatClient } from '../chat/forward.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { relayChatStream, SSE_HEADERS } from '../exchange/relay.ts';
import type { Registry } from '../providers/registry.ts';
import type { ChatRequest, Model } from '../schemas.ts';
import { withRequestId } from '../telemetry/request-record.ts';
import { ChatAttempts } from './attempt.ts';
import type { BreakerReadout } from './breaker.ts';
import type { RoutingClock } from './clock.ts';
import { type ReadText, type ReloadResult, RoutingFile } from './config-file.ts';
import type { Deployment, ProviderIds, Route } from './config.ts';
import type { EngineResult } from './contract.ts';
import { FailoverEngine, type RoutingEvent } from './engine.ts';

/** The response header naming the deployment that served (`provider/model`). */
export const SERVED_BY = 'x-served-by';

/** An answer's headers, naming the deployment that served it: ours, and for an alias the Go gateway's pair for its clients. */
interface ServedHeaders {
  json: Readonly<Record<string, string>>;
  sse: Readonly<Record<string, string>>;
}

function servedHeaders(route: Route, d: Deployment): ServedHeaders {
  // A plain provider/model request names its deployment already: one header is enough (each costs a little).
  const own: Record<string, string> = route.alias === d.key ? { [SERVED_BY]: d.key } : { [SERVED_BY]: d.key, 'x-selected-provider': d.provider, 'x-selected-model': d.model };
  return { json: { 'content-type': 'application/json', ...own }, sse: { ...SSE_HEADERS, ...own } };
}

/** How the app builds routing; clock, randomness and file reads are injectable for tests. */
export interface RoutingOptions {
  /** ROUTING_CONFIG_PATH. */
  path: string;
  clock?: RoutingClock;
  random?: () => number;
  read?: ReadText;
  /** Every accounting event (attempts by alias, deployment and outcome; who served; usage), for metrics. */
  onEvent?: (e: RoutingEvent) => void;
}

/** The provider ids a routing file may name: all of the registry, and those with a key. */
export function providerIdsOf(registry: Registry): ProviderIds {
  const all = new Set<string>();
  const usable = new Set<string>();
  for (const [id, p] of registry) {
    all.add(id);
    if (p.usable) usable.add(id);
  }
  return { all, usable };
}

/** Routing for one app. */
export class RoutingFeature {
  readonly file: RoutingFile;
  readonly engine: FailoverEngine;
  /** Each alias deployment's answer headers, made once: the table's deployments live until a reload replaces them. */
  private readonly headers = new WeakMap<Deployment, ServedHeaders>();

  /** Reads the file; throws ConfigError (one line per mistake) when it is unusable. */
  constructor(
    private readonly ctx: GatewayContext,
    opts: RoutingOptions,
  ) {
    this.file = new RoutingFile(opts.path, providerIdsOf(ctx.registry), opts.read);
    this.engine = new FailoverEngine({ clock: opts.clock, random: opts.random, onEvent: opts.onEvent });
  }

  /** The alias's route when `model` is an alias (and no `?provider=` says otherwise); undefined otherwise. */
  aliasRoute(model: string, providerParam: string | null): Route | undefined {
    if (providerParam !== null && providerParam !== '') return undefined;
    return this.file.current.routes.get(model);
  }

  /** A plain `provider/model` request: one deployment, the file's defaults. */
  plainRoute(providerId: string, model: string): Route {
    const key = `${providerId}/${model}`;
    const table = this.file.current;
    return { alias: key, strategy: 'fallback', deployments: [{ provider: providerId, model, weight: 1, prefill: false, key }], settings: table.defaults };
  }

  /** ALLOWED_MODELS / DISALLOWED_MODELS apply to the alias the client sent; 403 when refused. */
  checkAlias(alias: string): void {
    const refusal = this.ctx.policy.refusal('', alias);
    if (refusal) throw new GatewayError(403, 'model_not_allowed', refusal, { reason: `alias ${alias} refused by ALLOWED_MODELS/DISALLOWED_MODELS` });
  }

  /** Serves a validated chat over a route; every failure before the answer started is a GatewayError thrown. */
  serve(route: Route, body: ChatRequest, client: ChatClient): Promise<Response> {
    // The exchanges notice a hang-up themselves, and a stream the client cancels is returned (which
    // ends its attempt): no signal of its own per request (creating one costs every request).
    return this.engine.run(route, body, undefined, new RoutedChat(this.ctx, client, this, route, body));
  }

  /** Reads the file again (SIGHUP); a bad file keeps the routes in force, and the log says why. */
  reload(): ReloadResult {
    const r = this.file.reload();
    if (r.ok) this.ctx.logger.info('routing file reloaded', { aliases: [...r.table.routes.keys()].join(',') });
    else this.ctx.logger.warn('routing file not reloaded: the routes in force stay', { problems: r.problems.join('; ') });
    return r;
  }

  /** The aliases for /v1/models: owned by the gateway, served by the providers behind each. */
  models(): Model[] {
    return [...this.file.current.routes.values()].map((r) => ({
      id: r.alias,
      object: 'model',
      created: 0,
      owned_by: 'inference-gateway',
      served_by: [...new Set(r.deployments.map((d) => d.provider))].join(','),
    }));
  }

  /** Each breaker's state, for the gauge. */
  breakers(): BreakerReadout[] {
    return this.engine.breakers.readout();
  }

  /** @internal The client's answer: the JSON as the deployment wrote it, or its stream relayed; named by `x-served-by`. */
  respond(route: Route, result: EngineResult, body: ChatRequest, client: ChatClient): Response {
    const rec = client.rec;
    const served = this.servedBy(route, result.servedBy);
    if (result.kind === 'json') return new Response(result.text, { status: result.status, headers: withRequestId(rec, served.json) });
    // A usage-only chunk the client did not ask for was asked for on its behalf (so tokens are counted).
    const stripUsage = body.stream_options?.include_usage !== true;
    const stream = relayChatStream(result.items, { stripUsage, onEnd: this.ctx.telemetry.finishWhenRelayed(rec) });
    return new Response(stream, { status: result.status, headers: withRequestId(rec, served.sse) });
  }

  private servedBy(route: Route, d: Deployment): ServedHeaders {
    let h = this.headers.get(d);
    if (h) return h;
    h = servedHeaders(route, d);
    // A plain provider/model route is made per request: nothing to keep.
    if (route.alias !== d.key) this.headers.set(d, h);
    return h;
  }
}

/** A chat served over a route, answered as the chat route answers. */
class RoutedChat extends ChatAttempts<Response> {
  constructor(
    ctx: GatewayContext,
    client: ChatClient,
    private readonly feature: RoutingFeature,
    private readonly route: Route,
    private readonly body: ChatRequest,
  ) {
    super(ctx, client);
  }

  finish(result: EngineResult): Response {
    return this.feature.respond(this.route, result, this.body, this.client);
  }
}
