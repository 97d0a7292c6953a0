/**
 * The floor for any Bun gateway: a bare pass-through with no checks at all (the "15-line Bun
 * pass-through"). It forwards the bytes both ways and only rewrites `openai/<model>` to `<model>`.
 *   SERVER_PORT=N OPENAI_API_URL=http://127.0.0.1:M/v1 bun run bench/bare-proxy.ts
 */
const upstream = `${process.env.OPENAI_API_URL ?? 'http://127.0.0.1:8081/v1'}/chat/completions`;
const auth = `Bearer ${process.env.OPENAI_API_KEY ?? ''}`;
const OK = '{"message":"OK"}';

Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.SERVER_PORT ?? 8080),
  async fetch(req) {
    if (req.method === 'GET') return new Response(OK, { headers: { 'content-type': 'application/json' } });
    const body = (await req.text()).replace('"openai/', '"');
    const res = await fetch(upstream, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: auth } });
    return new Response(res.body, { status: res.status, headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' } });
  },
});
