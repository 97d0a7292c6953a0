/**
 * Every provider, the same scenarios: list models (its own format and paging), chat, stream, and what
 * its fake saw (upstream path, credentials, body). Switching provider is only a change of model id.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { sseData } from '../helpers/fake-provider.ts';
import { testGateway } from '../helpers/gateway.ts';
import { ADAPTERS } from '../../src/providers/adapters.ts';
import { PROVIDER_ROWS } from '../../src/spec.ts';
import { PROVIDER_CASES, requestLine, startProviderFakes, type RunningFake } from './provider-cases.ts';

const fakes = await startProviderFakes();
afterAll(() => fakes.stop());
const gw = testGateway(fakes.env);

function running(id: string): RunningFake {
  const r = fakes.byId.get(id);
  if (!r) throw new Error(`no fake for ${id}`);
  return r;
}

function expectCredentials(r: RunningFake, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(r.case.auth)) expect(headers[name]).toBe(value);
  for (const name of r.case.absent) expect(headers[name]).toBeUndefined();
}

test('the table covers providers of the spec only, and every one that differs from OpenAI (has an adapter)', () => {
  const cases = PROVIDER_CASES.map((c) => c.id);
  expect(PROVIDER_ROWS.map((p) => p.id)).toEqual(expect.arrayContaining(cases));
  expect(cases).toEqual(expect.arrayContaining(Object.keys(ADAPTERS)));
  // The ones it was written for; a provider added to the spec later is covered by provider-one-row.test.ts.
  expect(cases.length).toBeGreaterThanOrEqual(11);
});

for (const c of PROVIDER_CASES) {
  describe(c.id, () => {
    test('lists its models from its own format, every page, as provider/model', async () => {
      const r = running(c.id);
      const before = r.fake.received.length;
      const res = await gw.req(`/v1/models?provider=${c.id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ provider: c.id, object: 'list', data: r.fixture.listed });
      const seen = r.fake.received.slice(before);
      expect(seen.map(requestLine)).toEqual(c.modelRequests);
      for (const rec of seen) expectCredentials(r, rec.headers);
    });

    test(`non-streamed chat goes to ${c.chatPath} with the bare model, and its answer comes back as sent`, async () => {
      const r = running(c.id);
      const messages = [{ role: 'user', content: 'Say hello' }];
      const res = await gw.post('/v1/chat/completions', { model: `${c.id}/${r.fixture.chatModel}`, messages, temperature: 0.2 });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(r.fixture.chat);
      const rec = r.fake.last();
      expect(requestLine(rec)).toBe(`POST ${c.chatPath}`);
      expect(JSON.parse(rec.body)).toEqual({ model: r.fixture.chatModel, messages, temperature: 0.2 });
      expect(rec.headers['content-type']).toBe('application/json');
      expectCredentials(r, rec.headers);
    });

    test(`streamed chat relays every chunk in order, then [DONE]; stream_options ${c.streamOptions}`, async () => {
      const r = running(c.id);
      const body = { model: `${c.id}/${r.fixture.chatModel}`, messages: [{ role: 'user', content: 'Say hello' }], stream: true, stream_options: { include_usage: true } };
      const res = await gw.post('/v1/chat/completions', body);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toStartWith('text/event-stream');
      const usage = c.streamOptions === 'relayed' && r.fixture.streamUsage !== undefined ? [r.fixture.streamUsage] : [];
      expect(await sseData(res)).toEqual([...[...r.fixture.stream, ...usage].map((e) => JSON.stringify(e)), '[DONE]']);
      const rec = r.fake.last();
      expect(requestLine(rec)).toBe(`POST ${c.chatPath}`);
      expect(rec.headers.accept).toBe('text/event-stream');
      expectCredentials(r, rec.headers);
      const sent = JSON.parse(rec.body) as Record<string, unknown>;
      expect(sent.model).toBe(r.fixture.chatModel);
      expect(sent.stream).toBe(true);
      if (c.streamOptions === 'relayed') expect(sent.stream_options).toEqual({ include_usage: true });
      else expect(Object.keys(sent)).not.toContain('stream_options');
    });
  });
}

describe('all providers at once', () => {
  test('GET /v1/models aggregates every provider, each mapped from its own format', async () => {
    const res = await gw.req('/v1/models');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { id: string }[] };
    const expected = [...fakes.byId.values()].flatMap((r) => r.fixture.listed);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(body.object).toBe('list');
    expect([...body.data].sort(byId)).toEqual([...expected].sort(byId));
  });

  test("no provider ever received another provider's key", () => {
    const keys = PROVIDER_CASES.flatMap((c) => (c.key ? [[c.id, c.key] as const] : []));
    for (const r of fakes.byId.values()) {
      expect(r.fake.received.length).toBeGreaterThan(0);
      for (const rec of r.fake.received) {
        const headerText = JSON.stringify(rec.headers) + rec.search;
        for (const [owner, key] of keys) if (owner !== r.case.id) expect(headerText).not.toContain(key);
      }
    }
  });
});
