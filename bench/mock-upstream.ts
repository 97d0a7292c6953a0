/**
 * A fast mock OpenAI upstream for the benchmark: non-stream chat, streamed chat (N chunks, optional
 * per-chunk delay) and a model list. Every answer is prebuilt once, so the mock costs as little as it can.
 * A model whose name ends in `-paced` (e.g. `gpt-4o-mini-paced`) gets its streamed chunks `--delay-ms`
 * apart, so one gateway config can be measured both flat out and with a realistic token pace.
 *   bun run bench/mock-upstream.ts [--port=0] [--chunks=20] [--delay-ms=2]
 * Prints one JSON line `{"port": N}` once it listens.
 */

export interface MockOptions {
  port: number;
  /** Content chunks in a streamed answer (a role chunk, N content chunks, a finish chunk, [DONE]). */
  chunks: number;
  /** Pause between streamed chunks of a `-paced` model; the first chunk is always sent at once. */
  delayMs: number;
}

const encoder = new TextEncoder();
const CREATED = 1_700_000_000;
const MODEL = 'gpt-4o-mini';

/** A non-streamed answer of a realistic size (~600 bytes). */
const CHAT_ANSWER = encoder.encode(
  JSON.stringify({
    id: 'chatcmpl-bench0000000000000000000000',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    system_fingerprint: 'fp_bench',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Hello! This is a fixed answer from the benchmark mock upstream. It is about as long as a short real reply.',
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 24, total_tokens: 36 },
  }),
);

const MODELS = encoder.encode(
  JSON.stringify({
    object: 'list',
    data: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'o3-mini'].map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'openai' })),
  }),
);

function sseChunk(delta: Record<string, unknown>, finish: string | null): Uint8Array {
  const chunk = {
    id: 'chatcmpl-bench0000000000000000000000',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
  return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
}

/** Every event of one streamed answer, in order. */
export function streamEvents(chunks: number): Uint8Array[] {
  const events = [sseChunk({ role: 'assistant', content: '' }, null)];
  for (let i = 0; i < chunks; i++) events.push(sseChunk({ content: `token${i} ` }, null));
  events.push(sseChunk({}, 'stop'), encoder.encode('data: [DONE]\n\n'));
  return events;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const STREAM_FLAG = /"stream"\s*:\s*true/;
const PACED_MODEL = /"model"\s*:\s*"[^"]*-paced"/;

function streamResponse(events: readonly Uint8Array[], delayMs: number, signal: AbortSignal): Response {
  if (delayMs <= 0) {
    // No pauses: one body, sent as fast as the socket takes it.
    const whole = new Uint8Array(events.reduce((n, e) => n + e.byteLength, 0));
    let offset = 0;
    for (const e of events) {
      whole.set(e, offset);
      offset += e.byteLength;
    }
    return new Response(whole, { headers: SSE_HEADERS });
  }
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i > 0) await Bun.sleep(delayMs);
      const event = events[i++];
      if (event === undefined || signal.aborted) {
        controller.close();
        return;
      }
      controller.enqueue(event);
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

/** Starts the mock on loopback. */
export function startMock(opts: MockOptions) {
  const events = streamEvents(opts.chunks);
  return Bun.serve({
    hostname: '127.0.0.1',
    port: opts.port,
    // Load runs end with many connections at once; the mock must never be the one that drops them.
    idleTimeout: 60,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (req.method === 'POST' && path.endsWith('/chat/completions')) {
        const text = await req.text();
        if (STREAM_FLAG.test(text)) return streamResponse(events, PACED_MODEL.test(text) ? opts.delayMs : 0, req.signal);
        return new Response(CHAT_ANSWER, { headers: JSON_HEADERS });
      }
      if (req.method === 'GET' && path.endsWith('/models')) return new Response(MODELS, { headers: JSON_HEADERS });
      if (path === '/health') return new Response('{"message":"OK"}', { headers: JSON_HEADERS });
      return new Response('{"error":{"message":"not found"}}', { status: 404, headers: JSON_HEADERS });
    },
  });
}

function flag(name: string, fallback: number): number {
  const prefix = `--${name}=`;
  const raw = process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`);
  return value;
}

if (import.meta.main) {
  const server = startMock({ port: flag('port', 0), chunks: flag('chunks', 20), delayMs: flag('delay-ms', 2) });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const stop = () => {
    void server.stop(true);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
