/** /proxy/{provider}/{path} for GET, POST, PUT, DELETE and PATCH. */
import { Elysia } from 'elysia';
import type { GatewayContext } from '../context.ts';
import { forwardProxy } from '../proxy/forward.ts';

export function proxyRoutes(ctx: GatewayContext) {
  const handler = ({ request }: { request: Request }) => forwardProxy(ctx, request);
  const opts = { parse: 'none' } as const;
  return new Elysia({ name: 'proxy' })
    .get('/proxy/:provider/*', handler)
    .post('/proxy/:provider/*', handler, opts)
    .put('/proxy/:provider/*', handler, opts)
    .delete('/proxy/:provider/*', handler, opts)
    .patch('/proxy/:provider/*', handler, opts);
}
