import { afterAll, describe, expect, test } from 'bun:test';
import { chatChunks, fakeProvider, sseData, sseResponse } from '../helpers/fake-provider.ts';
import { listeningGateway } from '../helpers/gateway.ts';
import { rawRequest } from '../helpers/raw-http.ts';

const fake = fakeProvider({
  'GET /models': () => Response.json({ object: 'list', data: [] }, { headers: { 'x-ratelimit-remaining-requests': '99', 'set-cookie': 'upstream=1' } }),
  'POST /chat/completions': (_req, rec) => (JSON.parse(rec.body).stream ? sseResponse(chatChunks(['a', 'b'])) : Response.json({ echoed: JSON.parse(rec.body) })),
  'PUT /files/abc': (_req, rec) => Response.json({ method: rec.method, body: rec.body }),
  'PATCH /files/abc': (_req, rec) => Response.json({ method: rec.method, body: rec.body }),
  'DELETE /files/abc': () => Response.json({ deleted: true }),
  'GET /missing': () => Response.json({ error: { message: 'no such thing' } }, { status: 404 }),
});
const gw = listeningGateway({ OPENAI_API_URL: fake.url, OPENAI_API_KEY: 'sk-proxy-key' });
afterAll(() => Promise.all([fake.stop(), gw.stop()]));

describe('/proxy/{provider}/{path}', () => {
  test('GET forwards path and query with the key injected, and relays allowed response headers', async () => {
    const res = await fetch(`${gw.url}/proxy/openai/models?limit=5&order=desc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(res.headers.get('set-cookie')).toBeNull();
    const rec = fake.last();
    expect(rec.path).toBe('/v1/models');
    expect(rec.search).toBe('?limit=5&order=desc');
    expect(rec.headers.authorization).toBe('Bearer sk-proxy-key');
  });

  test('POST, PUT, PATCH and DELETE forward method and body', async () => {
    const post = await fetch(`${gw.url}/proxy/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"gpt-4o","x":1}' });
    expect(await post.json()).toEqual({ echoed: { model: 'gpt-4o', x: 1 } });
    for (const method of ['PUT', 'PATCH']) {
      const res = await fetch(`${gw.url}/proxy/openai/files/abc`, { method, body: 'payload' });
      expect(await res.json()).toEqual({ method, body: 'payload' });
    }
    expect(await (await fetch(`${gw.url}/proxy/openai/files/abc`, { method: 'DELETE' })).json()).toEqual({ deleted: true });
  });

  test('streams are relayed as SSE', async () => {
    const res = await fetch(`${gw.url}/proxy/openai/chat/completions`, { method: 'POST', body: '{"stream":true}' });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect((await sseData(res)).at(-1)).toBe('[DONE]');
  });

  test("the client's credentials, cookies and hop-by-hop headers never reach the provider", async () => {
    await fetch(`${gw.url}/proxy/openai/models`, {
      headers: {
        authorization: 'Bearer users-own-jwt',
        'proxy-authorization': 'Basic abc',
        cookie: 'session=1',
        'x-api-key': 'client-key',
        'x-forwarded-for': '10.0.0.1',
        'user-agent': 'test-agent',
      },
    });
    const h = fake.last().headers;
    expect(h.authorization).toBe('Bearer sk-proxy-key');
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h.cookie).toBeUndefined();
    expect(h['x-api-key']).toBeUndefined();
    expect(h['x-forwarded-for']).toBeUndefined();
    expect(h['user-agent']).toBe('test-agent');
  });

  test('an access_token in the query (a gateway credential) is not forwarded; other parameters are', async () => {
    await fetch(`${gw.url}/proxy/openai/models?access_token=users-jwt&limit=2`);
    expect(fake.last().search).toBe('?limit=2');
  });

  test('provider errors come back as the provider sent them', async () => {
    const res = await fetch(`${gw.url}/proxy/openai/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: 'no such thing' } });
  });

  test('unknown and unconfigured providers are 400', async () => {
    expect((await fetch(`${gw.url}/proxy/nope/models`)).status).toBe(400);
    const res = await fetch(`${gw.url}/proxy/groq/models`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Provider requires an API key. Please configure the provider's API key." });
  });

  // Bun resolves literal and %2e dot segments (WHATWG URL rules) before routing, so these either stop
  // being proxy paths (404) or resolve inside the base URL; nothing outside it is ever reached.
  const normalised = ['%2e%2e/%2e%2e/admin', '../../etc/passwd', 'a/%2e/b', 'models/./x', 'x/..%2f..%2f..%2fadmin'];
  for (const path of normalised) {
    test(`dot-segment path ${path} never reaches outside the provider base`, async () => {
      const res = await rawRequest(gw.url, 'GET', `/proxy/openai/${path}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body).toContain('"error"');
      for (const rec of fake.received) expect(rec.path).toStartWith('/v1/');
    });
  }

  const escapes = [
    '..%2fsecret',
    '%252e%252e/x',
    '%25252e%25252e/x',
    'models%5c..%5cx',
    'a//b',
    'http:%2f%2fevil.test/x',
    '%40evil.test/x',
    'models%0d%0aX-Injected:%201',
    '%zz',
    '%2525252525252e',
  ];
  for (const path of escapes) {
    test(`path ${path} is rejected with 400 and never sent`, async () => {
      const before = fake.received.length;
      // Raw HTTP: fetch would normalise the dot segments away before they reach the gateway.
      const res = await rawRequest(gw.url, 'GET', `/proxy/openai/${path}`);
      expect(res.status).toBe(400);
      expect(res.body).toContain('Invalid proxy path');
      expect(fake.received.length).toBe(before);
    });
  }
});
