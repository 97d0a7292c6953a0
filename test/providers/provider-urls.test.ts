/**
 * Where each provider is called: cloudflare's {ACCOUNT_ID} filled from CLOUDFLARE_ACCOUNT_ID (or a full
 * CLOUDFLARE_API_URL), with a start-up error when it cannot be; URL overrides joined without double slashes.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config.ts';
import { buildRegistry } from '../../src/providers/registry.ts';
import { chatCompletion, fakeProvider } from '../helpers/fake-provider.ts';
import { configProblems } from '../helpers/config-problems.ts';
import { testGateway } from '../helpers/gateway.ts';

const fake = fakeProvider({ 'POST *': () => Response.json(chatCompletion('ok', '@cf/meta/llama-3.1-8b-instruct')) }, '');
afterAll(() => fake.stop());

const hello = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });


describe('cloudflare account id', () => {
  test('a Cloudflare key with {ACCOUNT_ID} unfilled stops start-up, saying which variable to set', () => {
    expect(configProblems({ CLOUDFLARE_API_KEY: 'cf-token' })).toEqual([
      'CLOUDFLARE_API_KEY is set but the Cloudflare URL has {ACCOUNT_ID}: set CLOUDFLARE_ACCOUNT_ID (or a full CLOUDFLARE_API_URL)',
    ]);
  });

  test('without a Cloudflare key nothing is required', () => {
    expect(configProblems({})).toEqual([]);
  });

  test('CLOUDFLARE_ACCOUNT_ID fills the default URL, encoded as one path segment', () => {
    const url = (id: string) => buildRegistry(loadConfig({ CLOUDFLARE_API_KEY: 'k', CLOUDFLARE_ACCOUNT_ID: id })).get('cloudflare')!.baseUrl;
    expect(url('023e105f4ecef8ad9ca31a8372d0c353')).toBe('https://api.cloudflare.com/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/ai');
    expect(url('a/../b')).toBe('https://api.cloudflare.com/client/v4/accounts/a%2F..%2Fb/ai');
  });

  test('a full CLOUDFLARE_API_URL needs no account id and is called as given', async () => {
    const env = { CLOUDFLARE_API_URL: `${fake.url}/client/v4/accounts/acc-in-url/ai/`, CLOUDFLARE_API_KEY: 'cf-token' };
    expect(configProblems(env)).toEqual([]);
    const res = await testGateway(env).post('/v1/chat/completions', hello('cloudflare/@cf/meta/llama-3.1-8b-instruct'));
    expect(res.status).toBe(200);
    expect(fake.last().path).toBe('/client/v4/accounts/acc-in-url/ai/v1/chat/completions');
    expect(JSON.parse(fake.last().body).model).toBe('@cf/meta/llama-3.1-8b-instruct');
  });
});

describe('URL overrides', () => {
  test('a trailing slash on <ID>_API_URL does not double the slash before the endpoint', async () => {
    const gw = testGateway({ COHERE_API_URL: `${fake.url}/`, COHERE_API_KEY: 'co', GOOGLE_API_URL: `${fake.url}/v1beta/openai/`, GOOGLE_API_KEY: 'g' });
    expect((await gw.post('/v1/chat/completions', hello('cohere/command-a-03-2025'))).status).toBe(200);
    expect(fake.last().path).toBe('/compatibility/v1/chat/completions');
    expect((await gw.post('/v1/chat/completions', hello('google/gemini-2.5-flash'))).status).toBe(200);
    expect(fake.last().path).toBe('/v1beta/openai/chat/completions');
  });
});
