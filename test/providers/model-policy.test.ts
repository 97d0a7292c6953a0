/**
 * ALLOWED_MODELS / DISALLOWED_MODELS: comma-separated, trimmed, case-insensitive; an entry matches the
 * full `provider/model` or the bare model; ALLOWED wins. Both filter /v1/models; a chat on a refused
 * model is 403 with the texts users know, and its provider receives nothing.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { ModelPolicy } from '../../src/chat/policy.ts';
import { loadConfig, type Env } from '../../src/config.ts';
import { testGateway } from '../helpers/gateway.ts';
import { startProviderFakes } from './provider-cases.ts';

const NOT_ALLOWED = 'Model not allowed. Please check the list of allowed models.';
const DISALLOWED = 'Model is disallowed. Please use a different model.';

const fakes = await startProviderFakes(['openai', 'anthropic', 'groq']);
afterAll(() => fakes.stop());

const policy = (env: Env) => new ModelPolicy(loadConfig(env));
const gateway = (env: Env) => testGateway({ ...fakes.env, ...env });

function chatCalls(): number {
  return [...fakes.byId.values()].reduce((n, r) => n + r.fake.received.filter((rec) => rec.method === 'POST').length, 0);
}

async function listedIds(env: Env, query = ''): Promise<string[]> {
  const res = await gateway(env).req(`/v1/models${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
}

describe('matching rules', () => {
  test('ALLOWED_MODELS: entries trimmed and case-insensitive; full id matches one provider, bare model any', () => {
    const p = policy({ ALLOWED_MODELS: ' OpenAI/GPT-4o , claude-sonnet-4-20250514 ,, ' });
    expect(p.refusal('openai', 'gpt-4o')).toBeUndefined();
    expect(p.refusal('openai', 'GPT-4O')).toBeUndefined();
    expect(p.refusal('anthropic', 'claude-sonnet-4-20250514')).toBeUndefined();
    expect(p.refusal('groq', 'Claude-Sonnet-4-20250514')).toBeUndefined();
    expect(p.refusal('groq', 'gpt-4o')).toBe(NOT_ALLOWED);
    expect(p.refusal('openai', 'gpt-4o-mini')).toBe(NOT_ALLOWED);
  });

  test('DISALLOWED_MODELS: the same matching, refusing instead', () => {
    const p = policy({ DISALLOWED_MODELS: 'gpt-4o-mini, GROQ/llama-3.3-70b-versatile' });
    expect(p.refusal('openai', 'gpt-4o-mini')).toBe(DISALLOWED);
    expect(p.refusal('groq', 'GPT-4o-Mini')).toBe(DISALLOWED);
    expect(p.refusal('groq', 'llama-3.3-70b-versatile')).toBe(DISALLOWED);
    expect(p.refusal('ollama', 'llama-3.3-70b-versatile')).toBeUndefined();
    expect(p.refusal('openai', 'gpt-4o')).toBeUndefined();
  });

  test('when both are set, ALLOWED_MODELS wins and DISALLOWED_MODELS is ignored', () => {
    const p = policy({ ALLOWED_MODELS: 'gpt-4o-mini', DISALLOWED_MODELS: 'gpt-4o-mini,gpt-4o' });
    expect(p.refusal('openai', 'gpt-4o-mini')).toBeUndefined();
    expect(p.refusal('openai', 'gpt-4o')).toBe(NOT_ALLOWED);
  });

  test('models with slashes match by their full id or by everything after the provider', () => {
    const p = policy({ ALLOWED_MODELS: 'meta-llama/llama-4-scout-17b-16e-instruct,groq/openai/gpt-oss-120b' });
    expect(p.refusal('groq', 'meta-llama/llama-4-scout-17b-16e-instruct')).toBeUndefined();
    expect(p.refusal('groq', 'openai/gpt-oss-120b')).toBeUndefined();
    expect(p.refusal('openai', 'gpt-oss-120b')).toBe(NOT_ALLOWED);
  });

  test('no entries: everything is allowed', () => {
    expect(policy({ ALLOWED_MODELS: ' , ', DISALLOWED_MODELS: '' }).refusal('openai', 'anything')).toBeUndefined();
  });
});

describe('GET /v1/models is filtered', () => {
  test('ALLOWED_MODELS keeps only the listed models, in the aggregate and per provider', async () => {
    const env = { ALLOWED_MODELS: 'openai/gpt-4o-mini, CLAUDE-3-5-HAIKU-20241022 ,meta-llama/llama-4-scout-17b-16e-instruct' };
    expect(await listedIds(env)).toEqual(['anthropic/claude-3-5-haiku-20241022', 'groq/meta-llama/llama-4-scout-17b-16e-instruct', 'openai/gpt-4o-mini']);
    expect(await listedIds(env, '?provider=openai')).toEqual(['openai/gpt-4o-mini']);
  });

  test('DISALLOWED_MODELS removes the listed models', async () => {
    const ids = await listedIds({ DISALLOWED_MODELS: 'gpt-4o-mini,anthropic/claude-opus-4-1-20250805,groq/llama-3.3-70b-versatile' });
    expect(ids).toEqual([
      'anthropic/claude-3-5-haiku-20241022',
      'anthropic/claude-sonnet-4-20250514',
      'groq/meta-llama/llama-4-scout-17b-16e-instruct',
      'groq/openai/gpt-oss-120b',
      'openai/ft:gpt-4o-mini-2024-07-18:acme::9xYz',
      'openai/gpt-4o-2024-08-06',
    ]);
  });

  test('both set: only ALLOWED_MODELS counts', async () => {
    expect(await listedIds({ ALLOWED_MODELS: 'gpt-4o-mini', DISALLOWED_MODELS: 'gpt-4o-mini' })).toEqual(['openai/gpt-4o-mini']);
  });
});

describe('a chat on a refused model is 403 and reaches no provider', () => {
  const hello = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

  test('not in ALLOWED_MODELS → 403 with the exact text', async () => {
    const before = chatCalls();
    const res = await gateway({ ALLOWED_MODELS: 'gpt-4o-mini' }).post('/v1/chat/completions', hello('openai/gpt-4o-2024-08-06'));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: NOT_ALLOWED });
    expect(chatCalls()).toBe(before);
  });

  test('in DISALLOWED_MODELS, whatever the case → 403 with the exact text, streamed or not', async () => {
    const gw = gateway({ DISALLOWED_MODELS: 'anthropic/claude-opus-4-1-20250805' });
    const before = chatCalls();
    for (const body of [hello('Anthropic/Claude-Opus-4-1-20250805'), hello('anthropic/claude-opus-4-1-20250805', { stream: true })]) {
      const res = await gw.post('/v1/chat/completions', body);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toEqual({ error: DISALLOWED });
    }
    expect(chatCalls()).toBe(before);
  });

  test('?provider= is matched the same way as a prefix', async () => {
    const before = chatCalls();
    const res = await gateway({ DISALLOWED_MODELS: 'openai/gpt-4o-mini' }).post('/v1/chat/completions?provider=openai', hello('gpt-4o-mini'));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: DISALLOWED });
    expect(chatCalls()).toBe(before);
  });

  test('the policy is checked before the provider key: a refused model never reads as a setup problem', async () => {
    const res = await gateway({ DISALLOWED_MODELS: 'deepseek-chat' }).post('/v1/chat/completions', hello('deepseek/deepseek-chat'));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: DISALLOWED });
  });

  test('an allowed model goes through to its provider, as sent', async () => {
    const openai = fakes.byId.get('openai')!.fake;
    const res = await gateway({ ALLOWED_MODELS: 'openai/gpt-4o-mini' }).post('/v1/chat/completions', hello('OpenAI/GPT-4o-Mini'));
    expect(res.status).toBe(200);
    expect(JSON.parse(openai.last().body).model).toBe('GPT-4o-Mini');
  });
});
