/** GET /swagger (the UI) and /swagger/json (the spec itself); the swagger plugin loads on the first visit. */
import { Elysia } from 'elysia';
import { loadSwagger } from '../optional.ts';
import { SPEC } from '../spec.ts';

interface Handler {
  handle(request: Request): Promise<Response>;
}

export function docsRoutes() {
  let docs: Handler | undefined;
  const serve = ({ request }: { request: Request }) => {
    // The spec is the documentation: no route of ours is generated into it.
    docs ??= new Elysia().use(loadSwagger().swagger({ path: '/swagger', documentation: SPEC, exclude: [/.*/] }));
    return docs.handle(request);
  };
  return new Elysia({ name: 'docs' }).get('/swagger', serve).get('/swagger/json', serve);
}
