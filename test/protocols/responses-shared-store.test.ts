import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { fakeProvider } from '../helpers/fake-provider.ts';
import { listeningGateway, type ListeningGateway } from '../helpers/gateway.ts';
import { REDIS_MISSING, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';

// With REDIS_URL, the conversations behind previous_response_id live in Redis: a client whose next
// request reaches another replica continues where it left off.
type ChatBody = { messages: { role: string; content?: unknown }[] };
const mistral = fakeProvider({
  'POST /chat/completions': (_req, rec) => {
    const body = JSON.parse(rec.body) as ChatBody;
    const said = body.messages.filter((m) => m.role === 'user').map((m) => String(m.content));
    return Response.json({
      id: 'c',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: `heard: ${said.join(' | ')}` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  },
});

let redis: RedisServer | undefined;
let a: ListeningGateway;
let b: ListeningGateway;
const client = (gw: ListeningGateway) => new OpenAI({ apiKey: 'unused', baseURL: `${gw.url}/v1`, maxRetries: 0 });

describe.skipIf(!REDIS_SERVER)(`previous_response_id across replicas${REDIS_SERVER ? '' : ` (${REDIS_MISSING})`}`, () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    const env = { MISTRAL_API_URL: mistral.url, MISTRAL_API_KEY: 'mk-shared-store', REDIS_URL: redis.url(3) };
    a = listeningGateway(env);
    b = listeningGateway(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), mistral.stop()]);
    await redis?.stop();
  });

  test('a response made on one replica is continued on the other', async () => {
    const first = await client(a).responses.create({ model: 'mistral/small', input: 'my name is Ada' });
    const second = await client(b).responses.create({ model: 'mistral/small', input: 'what is my name?', previous_response_id: first.id });
    expect(second.output_text).toBe('heard: my name is Ada | what is my name?');
  });

  test('with Redis away a continuation is a clear 503, a new response is still answered, and it recovers', async () => {
    const kept = await client(a).responses.create({ model: 'mistral/small', input: 'before the outage' });
    await redis!.stop();
    const err = (await client(b)
      .responses.create({ model: 'mistral/small', input: 'again', previous_response_id: kept.id })
      .catch((e: unknown) => e)) as { status?: number };
    expect(err.status).toBe(503);
    expect((await client(a).responses.create({ model: 'mistral/small', input: 'fresh' })).output_text).toBe('heard: fresh');
    expect(a.logs.some((l) => l.includes('conversation store (Redis) failed'))).toBe(true);
    await redis!.restart();
    // Nothing was saved across the restart; new conversations are shared again once it is back.
    let next: Awaited<ReturnType<ReturnType<typeof client>['responses']['create']>> | undefined;
    for (let i = 0; i < 50 && !next; i++) {
      next = await client(a).responses.create({ model: 'mistral/small', input: 'after' }).catch(() => undefined);
      const cont = next && (await client(b).responses.create({ model: 'mistral/small', input: 'and now', previous_response_id: next.id }).catch(() => undefined));
      if (!cont) {
        next = undefined;
        await Bun.sleep(100);
        continue;
      }
      expect(cont.output_text).toBe('heard: after | and now');
    }
    expect(next).toBeDefined();
  }, 20_000);
});
