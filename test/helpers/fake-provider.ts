/** A real HTTP server on port 0 that stands in for a provider and records what it receives. */
import type { Server } from 'bun';

export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
  /** The gateway's source port: the same port twice means a reused connection. */
  remotePort: number;
  /** Resolves when the client side of this request aborted (the gateway cancelled it). */
  aborted: Promise<void>;
  wasAborted: () => boolean;
}

export type FakeHandler = (req: Request, rec: Recorded) => Response | Promise<Response>;

export interface FakeProvider {
  url: string;
  received: Recorded[];
  /** Requests for one "METHOD /path". */
  calls(route: string): Recorded[];
  last(): Recorded;
  stop(): Promise<void>;
  server: Server<undefined>;
}

/** Starts a fake provider; routes are "METHOD /path" (path without query) → handler. */
export function fakeProvider(routes: Record<string, FakeHandler>, basePath = '/v1'): FakeProvider {
  const received: Recorded[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req, srv) {
      const url = new URL(req.url);
      let markAborted = () => {};
      let aborted = false;
      const abortedP = new Promise<void>((resolve) => {
        markAborted = resolve;
      });
      req.signal.addEventListener('abort', () => {
        aborted = true;
        markAborted();
      });
      const rec: Recorded = {
        method: req.method,
        path: url.pathname,
        search: url.search,
        headers: Object.fromEntries(req.headers.entries()),
        body: await req.text(),
        remotePort: srv.requestIP(req)?.port ?? 0,
        aborted: abortedP,
        wasAborted: () => aborted,
      };
      received.push(rec);
      const route = `${req.method} ${url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname}`;
      const handler = routes[route] ?? routes[`${req.method} *`];
      if (!handler) return Response.json({ error: { message: `fake: no route ${route}` } }, { status: 404 });
      return handler(req, rec);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}${basePath}`,
    received,
    calls: (route) => received.filter((r) => `${r.method} ${r.path}` === route || `${r.method} ${r.path.slice(basePath.length)}` === route),
    last: () => {
      const r = received.at(-1);
      if (!r) throw new Error('fake provider received nothing');
      return r;
    },
    stop: () => server.stop(true),
    server,
  };
}

const encoder = new TextEncoder();

/** An OpenAI chat completion body. */
export function chatCompletion(content: string, model = 'gpt-4o', usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  };
}

/** OpenAI stream chunks for the given pieces of content. */
export function chatChunks(pieces: string[], model = 'gpt-4o'): string[] {
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  return [
    ...pieces.map((p, i) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content: p } : { content: p }, finish_reason: null }] })}\n\n`),
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
  ];
}

/** An SSE response that sends `events` with `delayMs` between them, then optionally `[DONE]`. */
export function sseResponse(events: string[], opts: { delayMs?: number; done?: boolean; signal?: AbortSignal } = {}): Response {
  const { delayMs = 0, done = true } = opts;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        for (const e of events) {
          if (delayMs > 0) await Bun.sleep(delayMs);
          controller.enqueue(encoder.encode(e));
        }
        if (done) controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      } catch {
        // the gateway went away: nothing to send
      }
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}

/** Reads an SSE body into its `data:` payloads. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6));
}
