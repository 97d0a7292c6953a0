/** GET /health: liveness, never behind auth. */
import { Elysia } from 'elysia';

const OK = JSON.stringify({ message: 'OK' });

export const healthRoutes = new Elysia({ name: 'health' }).get(
  '/health',
  () => new Response(OK, { headers: { 'content-type': 'application/json' } }),
);
