/**
 * Image inputs: refused with 400 while ENABLE_VISION is off (the default); with it on, passed unchanged
 * to providers whose spec row says supports_vision, and refused with 400 naming any other provider.
 * Never stripped: a request either reaches the provider whole or not at all.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { testGateway } from '../helpers/gateway.ts';
import { PROVIDER_CASES, startProviderFakes } from './provider-cases.ts';

const fakes = await startProviderFakes();
afterAll(() => fakes.stop());

const visionOff = testGateway(fakes.env);
const visionOn = testGateway({ ...fakes.env, ENABLE_VISION: 'true' });

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const withImage = [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is in this image?' },
      { type: 'image_url', image_url: { url: PNG, detail: 'high' } },
      { type: 'image_url', image_url: { url: 'https://upload.example/cat.jpg' } },
    ],
  },
];

function received(): number {
  return [...fakes.byId.values()].reduce((n, r) => n + r.fake.received.length, 0);
}

const modelOf = (id: string) => `${id}/${fakes.byId.get(id)!.fixture.chatModel}`;

describe('ENABLE_VISION=false (default)', () => {
  test('an image part is refused with 400 before any provider is called, streamed or not', async () => {
    const before = received();
    for (const stream of [false, true]) {
      const res = await visionOff.post('/v1/chat/completions', { model: modelOf('openai'), messages: withImage, stream });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'Image inputs are disabled on this gateway. Set ENABLE_VISION=true to enable them.' });
    }
    expect(received()).toBe(before);
  });

  test('an image anywhere in the history counts, not only in the last message', async () => {
    const messages = [...withImage, { role: 'assistant', content: 'A cat.' }, { role: 'user', content: 'And its colour?' }];
    const res = await visionOff.post('/v1/chat/completions', { model: modelOf('google'), messages });
    expect(res.status).toBe(400);
  });

  test('text-only content parts are not images and pass', async () => {
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'Just text' }] }];
    const res = await visionOff.post('/v1/chat/completions', { model: modelOf('openai'), messages });
    expect(res.status).toBe(200);
    expect(JSON.parse(fakes.byId.get('openai')!.fake.last().body).messages).toEqual(messages);
  });
});

describe('ENABLE_VISION=true', () => {
  for (const c of PROVIDER_CASES.filter((p) => p.vision)) {
    test(`${c.id} (supports_vision) receives the image parts unchanged`, async () => {
      const res = await visionOn.post('/v1/chat/completions', { model: modelOf(c.id), messages: withImage });
      expect(res.status).toBe(200);
      expect(JSON.parse(fakes.byId.get(c.id)!.fake.last().body).messages).toEqual(withImage);
    });
  }

  for (const c of PROVIDER_CASES.filter((p) => !p.vision)) {
    test(`${c.id} (no vision) refuses with 400 naming the provider; nothing is sent`, async () => {
      const before = received();
      const res = await visionOn.post('/v1/chat/completions', { model: modelOf(c.id), messages: withImage, stream: true });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: `Provider ${c.id} does not support image inputs. Use a vision-capable provider.` });
      expect(received()).toBe(before);
    });
  }

  test('the providers without vision are exactly cloudflare, deepseek and moonshot (per the spec)', () => {
    expect(PROVIDER_CASES.filter((p) => !p.vision).map((p) => p.id)).toEqual(['cloudflare', 'deepseek', 'moonshot']);
  });
});
