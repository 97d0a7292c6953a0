/**
 * A provider that breaks on cue: a raw TCP server (Bun.listen on 127.0.0.1, port 0) speaking just
 * enough HTTP/1.1 to fail the ways real ones do, which an HTTP server library would not let it:
 * reset before the headers, accept and never answer, stall mid-stream with the socket open, end a
 * chunked body without its last chunk, a slow first token, 429 with Retry-After. Each request plays
 * the next fault of its script (the last one repeats) and is recorded with its arrival time.
 */
import type { Socket, TCPSocketListener } from 'bun';

/** One SSE event to send, after `delayMs`. `data` is JSON-encoded unless it is a string. */
export interface SseEvent {
  data: unknown;
  delayMs?: number;
}

/** How one request is answered (or not). */
export type Fault =
  | { kind: 'reset' }
  | { kind: 'silent' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { kind: 'json'; body: unknown; delayMs?: number }
  | {
      kind: 'stream';
      events: SseEvent[];
      /** `done`: `data: [DONE]` and the last chunk; `no-done`: the last chunk only; `cut`: the socket ends without the last chunk; `reset`: it is torn down; `stall`: nothing more, socket open. */
      end: 'done' | 'no-done' | 'cut' | 'reset' | 'stall';
      headersDelayMs?: number;
    };

/** One request as the provider saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** performance.now() when the request was complete. */
  at: number;
  /** performance.now() when the connection closed (the gateway gave up on it, or the answer ended). */
  closedAt?: number;
}

/** A running faulty provider. */
export interface FaultyProvider {
  /** Base URL ending in /v1, for `<PROVIDER>_API_URL`. */
  url: string;
  seen: SeenRequest[];
  /** Arrival times relative to the first request, in ms. */
  spacing(): number[];
  stop(): void;
}

const CRLF = '\r\n';
const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 408: 'Request Timeout', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

function head(status: number, headers: Record<string, string>): string {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return lines.join(CRLF) + CRLF + CRLF;
}

function chunked(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}${CRLF}${text}${CRLF}`;
}

/** OpenAI-shaped stream events: a role chunk, one chunk per text, a finish chunk (and usage). */
export function chatEvents(texts: string[], opts: { id?: string; model?: string; finish?: string; delayMs?: number; firstDelayMs?: number } = {}): SseEvent[] {
  const base = { id: opts.id ?? 'chatcmpl-f', object: 'chat.completion.chunk', created: 1, model: opts.model ?? 'm' };
  const delta = (d: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
  return [
    { data: delta({ role: 'assistant', content: '' }) },
    ...texts.map((t, i) => ({ data: delta({ content: t }), delayMs: i === 0 ? opts.firstDelayMs : opts.delayMs })),
    { data: delta({}, opts.finish ?? 'stop') },
    { data: { ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: texts.length, total_tokens: 3 + texts.length } } },
  ];
}

/** An OpenAI-shaped non-streamed answer. */
export function chatAnswer(text: string, opts: { model?: string; finish?: string } = {}): Record<string, unknown> {
  return {
    id: 'chatcmpl-j',
    object: 'chat.completion',
    created: 1,
    model: opts.model ?? 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: opts.finish ?? 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  };
}

interface Conn {
  buf: Buffer;
  answered: boolean;
  req?: SeenRequest;
}

function parseRequest(buf: Buffer): { req: Omit<SeenRequest, 'at'> } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [start = '', ...lines] = buf.subarray(0, end).toString('latin1').split(CRLF);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + length) return undefined;
  const text = buf.subarray(end + 4, end + 4 + length).toString('utf8');
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Kept as text: a test may assert on it.
  }
  const [method = '', path = ''] = start.split(' ');
  return { req: { method, path, headers, body } };
}

/** Starts a provider that answers request n with `script[n]` (the last one repeats), or `script(n, req)`. */
export function faultyProvider(script: Fault[] | ((n: number, req: SeenRequest) => Fault)): FaultyProvider {
  const seen: SeenRequest[] = [];
  const open = new Set<Socket<Conn>>();
  const pick = (n: number, req: SeenRequest): Fault =>
    typeof script === 'function' ? script(n, req) : (script[Math.min(n, script.length - 1)] ?? { kind: 'reset' });
  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(s) {
        s.data = { buf: Buffer.alloc(0), answered: false };
        open.add(s);
      },
      close(s) {
        open.delete(s);
        if (s.data.req) s.data.req.closedAt = performance.now();
      },
      data(s, data) {
        if (s.data.answered) return;
        s.data.buf = Buffer.concat([s.data.buf, data]);
        const parsed = parseRequest(s.data.buf);
        if (!parsed) return;
        s.data.answered = true;
        const req: SeenRequest = { ...parsed.req, at: performance.now() };
        s.data.req = req;
        const n = seen.length;
        seen.push(req);
        void play(s, pick(n, req));
      },
    },
  });
  return {
    url: `http://127.0.0.1:${listener.port}/v1`,
    seen,
    spacing: () => seen.map((r) => Math.round(r.at - (seen[0]?.at ?? 0))),
    stop: () => {
      for (const s of open) s.terminate();
      listener.stop(true);
    },
  };
}

async function play(s: Socket<Conn>, f: Fault): Promise<void> {
  const write = (text: string): void => {
    s.write(text);
    s.flush();
  };
  switch (f.kind) {
    case 'reset':
      return void s.terminate();
    case 'silent':
      return;
    case 'status':
    case 'json': {
      if (f.delayMs) await Bun.sleep(f.delayMs);
      const status = f.kind === 'json' ? 200 : f.status;
      const body = f.body === undefined ? JSON.stringify({ error: { message: `HTTP ${status}` } }) : typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...(f.kind === 'status' ? f.headers : {}) };
      write(head(status, headers) + body);
      return void s.end();
    }
    case 'stream': {
      if (f.headersDelayMs) await Bun.sleep(f.headersDelayMs);
      write(head(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' }));
      for (const e of f.events) {
        if (e.delayMs) await Bun.sleep(e.delayMs);
        if (s.readyState !== 1) return;
        write(chunked(`data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`));
      }
      if (f.end === 'stall') return;
      // Let the client read what was sent before the break, as a connection lost mid-answer would.
      if (f.end === 'cut' || f.end === 'reset') await Bun.sleep(20);
      if (f.end === 'reset') return void s.terminate();
      if (f.end === 'done') write(chunked('data: [DONE]\n\n'));
      if (f.end !== 'cut') write(`0${CRLF}${CRLF}`);
      return void s.end();
    }
  }
}
