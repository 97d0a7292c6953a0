/**
 * The 11 providers as the table tests expect to see them, and fake providers that answer the way each
 * real one does: its own model-list format (pages included), its own auth, its refusals. Answers come
 * from hand-written fixtures in test/fixtures/providers/<id>.json (each names the docs it follows).
 */
import type { Env } from '../../src/config.ts';
import type { Model } from '../../src/schemas.ts';
import { fakeProvider, sseResponse, type FakeProvider, type Recorded } from '../helpers/fake-provider.ts';

export interface Fixture {
  docs: string[];
  /** Model-list pages, each served for exactly its query. */
  models: { query: Record<string, string>; body: unknown }[];
  /** What the gateway must list for this provider. */
  listed: Model[];
  /** A model id as the provider knows it. */
  chatModel: string;
  chat: Record<string, unknown>;
  stream: unknown[];
  /** The usage-only chunk the provider adds when asked with `stream_options.include_usage`. */
  streamUsage?: unknown;
  /** Request fields the provider refuses, with the answer it gives. */
  rejects?: Record<string, { status: number; body: unknown }>;
}

export interface ProviderCase {
  id: string;
  /** The path of the provider's real base URL; the fake serves it on 127.0.0.1. */
  base: string;
  key?: string;
  extraEnv?: Env;
  /** Every request a full model listing makes, as `METHOD path?query`. */
  modelRequests: string[];
  chatPath: string;
  /** Credentials exactly as the provider must receive them. */
  auth: Record<string, string>;
  /** Headers that must never reach it. */
  absent: string[];
  /** What happens to a client's `stream_options`. */
  streamOptions: 'relayed' | 'removed';
  vision: boolean;
}

const CF_ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The expected behaviour of each provider, written out (not derived from the code under test). */
export const PROVIDER_CASES: readonly ProviderCase[] = [
  { id: 'openai', base: '/v1', key: 'sk-proj-openai-1', modelRequests: ['GET /v1/models'], chatPath: '/v1/chat/completions', auth: bearer('sk-proj-openai-1'), absent: ['x-api-key'], streamOptions: 'relayed', vision: true },
  { id: 'groq', base: '/openai/v1', key: 'gsk_groq_1', modelRequests: ['GET /openai/v1/models'], chatPath: '/openai/v1/chat/completions', auth: bearer('gsk_groq_1'), absent: ['x-api-key'], streamOptions: 'relayed', vision: true },
  {
    id: 'anthropic',
    base: '/v1',
    key: 'sk-ant-api03-anthropic-1',
    modelRequests: ['GET /v1/models', 'GET /v1/models?after_id=claude-sonnet-4-20250514&limit=1000'],
    chatPath: '/v1/chat/completions',
    auth: { 'x-api-key': 'sk-ant-api03-anthropic-1', 'anthropic-version': '2023-06-01' },
    absent: ['authorization'],
    streamOptions: 'relayed',
    vision: true,
  },
  {
    id: 'cohere',
    base: '',
    key: 'co-cohere-1',
    modelRequests: ['GET /v1/models', 'GET /v1/models?page_token=Y29tbWFuZC1yN2ItMTItMjAyNA&page_size=1000'],
    chatPath: '/compatibility/v1/chat/completions',
    auth: bearer('co-cohere-1'),
    absent: ['x-api-key'],
    streamOptions: 'removed',
    vision: true,
  },
  {
    id: 'cloudflare',
    base: '/client/v4/accounts/{ACCOUNT_ID}/ai',
    key: 'cf-token-1',
    extraEnv: { CLOUDFLARE_ACCOUNT_ID: CF_ACCOUNT },
    modelRequests: [`GET /client/v4/accounts/${CF_ACCOUNT}/ai/finetunes/public?limit=1000`],
    chatPath: `/client/v4/accounts/${CF_ACCOUNT}/ai/v1/chat/completions`,
    auth: bearer('cf-token-1'),
    absent: ['x-api-key'],
    streamOptions: 'relayed',
    vision: false,
  },
  { id: 'deepseek', base: '', key: 'sk-deepseek-1', modelRequests: ['GET /models'], chatPath: '/chat/completions', auth: bearer('sk-deepseek-1'), absent: ['x-api-key'], streamOptions: 'relayed', vision: false },
  {
    id: 'google',
    base: '/v1beta/openai',
    key: 'AIza-google-1',
    modelRequests: ['GET /v1beta/openai/models'],
    chatPath: '/v1beta/openai/chat/completions',
    auth: bearer('AIza-google-1'),
    absent: ['x-api-key', 'x-goog-api-key'],
    streamOptions: 'relayed',
    vision: true,
  },
  { id: 'mistral', base: '/v1', key: 'mistral-key-1', modelRequests: ['GET /v1/models'], chatPath: '/v1/chat/completions', auth: bearer('mistral-key-1'), absent: ['x-api-key'], streamOptions: 'removed', vision: true },
  { id: 'moonshot', base: '/v1', key: 'sk-moonshot-1', modelRequests: ['GET /v1/models'], chatPath: '/v1/chat/completions', auth: bearer('sk-moonshot-1'), absent: ['x-api-key'], streamOptions: 'relayed', vision: false },
  { id: 'ollama', base: '/v1', modelRequests: ['GET /v1/models'], chatPath: '/v1/chat/completions', auth: {}, absent: ['authorization', 'x-api-key'], streamOptions: 'relayed', vision: true },
  { id: 'ollama_cloud', base: '/v1', key: 'ollama-cloud-1', modelRequests: ['GET /v1/models'], chatPath: '/v1/chat/completions', auth: bearer('ollama-cloud-1'), absent: ['x-api-key'], streamOptions: 'removed', vision: true },
];

/** Reads a provider's fixture. */
export async function loadFixture(id: string): Promise<Fixture> {
  return (await Bun.file(`${import.meta.dir}/../fixtures/providers/${id}.json`).json()) as Fixture;
}

/** What a provider answers to a request without its credentials. */
function authProblem(c: ProviderCase, rec: Recorded): Response | undefined {
  for (const [name, value] of Object.entries(c.auth)) {
    if (rec.headers[name] !== value) return Response.json({ error: { message: `fake ${c.id}: ${name} missing or wrong` } }, { status: 401 });
  }
  for (const name of c.absent) {
    if (name in rec.headers) return Response.json({ error: { message: `fake ${c.id}: unexpected ${name}` } }, { status: 400 });
  }
  return undefined;
}

function modelPage(f: Fixture, rec: Recorded): Response {
  const query = new URLSearchParams(rec.search);
  const page = f.models.find((p) => {
    const wanted = Object.entries(p.query);
    return wanted.length === [...query.keys()].length && wanted.every(([k, v]) => query.get(k) === v);
  });
  return page ? Response.json(page.body) : Response.json({ error: { message: `fake: no page for ${rec.search}` } }, { status: 400 });
}

function chatAnswer(f: Fixture, rec: Recorded): Response {
  const body = JSON.parse(rec.body) as Record<string, unknown>;
  for (const [field, answer] of Object.entries(f.rejects ?? {})) {
    if (field in body) return Response.json(answer.body, { status: answer.status });
  }
  if (body.stream !== true) return Response.json(f.chat);
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  const events = options?.include_usage === true && f.streamUsage ? [...f.stream, f.streamUsage] : f.stream;
  return sseResponse(events.map((e) => `data: ${JSON.stringify(e)}\n\n`));
}

export interface RunningFake {
  case: ProviderCase;
  fixture: Fixture;
  fake: FakeProvider;
}

export interface ProviderFakes {
  byId: Map<string, RunningFake>;
  /** Gateway settings pointing every provider at its fake, with its key. */
  env: Env;
  stop(): Promise<void>;
}

/** Starts one fake per provider (or per given id), each speaking its provider's format. */
export async function startProviderFakes(ids?: readonly string[]): Promise<ProviderFakes> {
  const byId = new Map<string, RunningFake>();
  const env: Env = {};
  for (const c of PROVIDER_CASES.filter((p) => !ids || ids.includes(p.id))) {
    const fixture = await loadFixture(c.id);
    const modelsPath = c.modelRequests[0]!.slice('GET '.length).split('?')[0]!;
    const guarded = (answer: (f: Fixture, rec: Recorded) => Response) => (_req: Request, rec: Recorded) => authProblem(c, rec) ?? answer(fixture, rec);
    const fake = fakeProvider({ [`GET ${modelsPath}`]: guarded(modelPage), [`POST ${c.chatPath}`]: guarded(chatAnswer) }, '');
    const prefix = c.id.toUpperCase();
    env[`${prefix}_API_URL`] = `${fake.url}${c.base}`;
    if (c.key) env[`${prefix}_API_KEY`] = c.key;
    Object.assign(env, c.extraEnv);
    byId.set(c.id, { case: c, fixture, fake });
  }
  return { byId, env, stop: async () => void (await Promise.all([...byId.values()].map((r) => r.fake.stop()))) };
}

/** `METHOD path?query` of a recorded request. */
export function requestLine(rec: Recorded): string {
  return `${rec.method} ${rec.path}${rec.search}`;
}
