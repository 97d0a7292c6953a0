/**
 * A listening chat endpoint wired the way the chat path calls routing (see src/routing/feature.ts):
 * an alias goes to its route, a plain `provider/model` to a one-deployment route with the defaults.
 * Real HTTP on 127.0.0.1 port 0, in front of faulty providers, for the openai SDK and raw SSE.
 */
import { ModelPolicy } from '../../src/chat/policy.ts';
import { resolveModel } from '../../src/chat/resolve.ts';
import { loadConfig, type Env } from '../../src/config.ts';
import type { GatewayContext } from '../../src/context.ts';
import { asGatewayError, renderSpecError } from '../../src/errors.ts';
import { RequestBodies } from '../../src/http/body.ts';
import { buildRegistry } from '../../src/providers/registry.ts';
import type { RoutingEvent } from '../../src/routing/engine.ts';
import { RoutingFeature } from '../../src/routing/feature.ts';
import type { ChatRequest } from '../../src/schemas.ts';
import { createLogger } from '../../src/telemetry/log.ts';
import { Telemetry } from '../../src/telemetry/telemetry.ts';

/** A running routed gateway. */
export interface RoutedGateway {
  url: string;
  routing: RoutingFeature;
  events: RoutingEvent[];
  logs: string[];
  stop(): void;
}

/** Starts one over `routingYaml`, with `env` for the providers (their URLs point at faulty providers); events are kept unless told not to. */
export function routedGateway(env: Env, routingYaml: string, opts: { recordEvents?: boolean } = {}): RoutedGateway {
  const logs: string[] = [];
  const config = loadConfig({ LOG_LEVEL: 'debug', OLLAMA_API_URL: 'http://127.0.0.1:9/v1', ...env });
  const logger = createLogger('debug', (line) => logs.push(line));
  const ctx: GatewayContext = {
    config,
    registry: buildRegistry(config),
    policy: new ModelPolicy(config),
    logger,
    telemetry: new Telemetry(logger),
    bodies: new RequestBodies(config.server.maxBodyBytes),
    exchanges: {
      timeouts: { headerTimeoutMs: config.client.responseHeaderTimeoutMs, timeoutMs: config.client.timeoutMs, disableCompression: config.client.disableCompression },
      onDropped: () => undefined,
    },
  };
  const events: RoutingEvent[] = [];
  const routing = new RoutingFeature(ctx, { path: 'routing.yaml', read: () => routingYaml, onEvent: opts.recordEvents === false ? undefined : (e) => events.push(e) });
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 30,
    async fetch(request) {
      try {
        const body = (await request.json()) as ChatRequest;
        const client = { signal: request.signal };
        const route = routing.aliasRoute(body.model, null);
        if (route) {
          routing.checkAlias(body.model);
          return await routing.serve(route, body, client);
        }
        const target = resolveModel(ctx.registry, body.model, null);
        return await routing.serve(routing.plainRoute(target.providerId, target.model), { ...body, model: target.model }, client);
      } catch (err) {
        return renderSpecError(asGatewayError(err));
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    routing,
    events,
    logs,
    stop: () => {
      void server.stop(true);
    },
  };
}
