/** GET /swagger and /docs (a self-contained page, no CDN) and /swagger/json (the served OpenAPI document). */
import { Elysia } from 'elysia';
import { servedDocument } from '../docs/document.ts';
import { DOCS_PAGE } from '../docs/page.ts';

const page = () => new Response(DOCS_PAGE, { headers: { 'content-type': 'text/html; charset=utf-8' } });

/** The docs routes; the page renders /swagger/json in the browser. */
export function docsRoutes() {
  return new Elysia({ name: 'docs' })
    .get('/swagger', page)
    .get('/docs', page)
    .get('/swagger/json', () => Response.json(servedDocument()));
}
