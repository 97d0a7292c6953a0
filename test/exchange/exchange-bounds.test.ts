/**
 * Routing's bounds on a stream, kept by the exchange on its own timer: the first-token deadline covers
 * every wait (headers included) until the content came, then stall_timeout bounds each read; a slow
 * reader's own time between reads never counts.
 */
import { afterEach, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config.ts';
import { GatewayError } from '../../src/errors.ts';
import { Exchange } from '../../src/exchange/exchange.ts';
import { buildRegistry, type Provider } from '../../src/providers/registry.ts';
import { providerRequest } from '../../src/providers/request.ts';
import { chatEvents, type Fault, type FaultyProvider, faultyProvider } from '../helpers/faulty-provider.ts';

let upstream: FaultyProvider | undefined;
afterEach(() => upstream?.stop());

function exchangeOver(script: Fault[], timeoutMs = 10_000): Exchange {
  upstream = faultyProvider(script);
  const config = loadConfig({ OPENAI_API_URL: upstream.url, OPENAI_API_KEY: 'sk-test' });
  const provider = buildRegistry(config).get('openai') as Provider;
  return new Exchange(
    { timeouts: { headerTimeoutMs: 10_000, timeoutMs, disableCompression: false }, onDropped: () => undefined },
    { provider, method: 'POST', request: providerRequest(provider, provider.endpoints.chat, { 'content-type': 'application/json' }), body: '{}' },
  );
}

/** The code the exchange failed with, and after how long. */
async function failure(p: Promise<unknown>): Promise<{ code: string; reason?: string; ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (e) {
    if (!(e instanceof GatewayError)) throw e;
    return { code: e.code, reason: e.reason, ms: performance.now() - t0 };
  }
  throw new Error('expected a failure');
}

async function readAll(ex: Exchange): Promise<void> {
  for (let b = await ex.nextBatch(); b; b = await ex.nextBatch());
}

test('no headers within first_token_timeout: the first-token timeout, not the header wait', async () => {
  const ex = exchangeOver([{ kind: 'silent' }]);
  ex.bound(150, 0);
  const f = await failure(ex.open());
  expect(f.code).toBe('upstream_timeout_first_token');
  expect(f.reason).toContain('first_token_timeout (150ms)');
  expect(f.ms).toBeGreaterThanOrEqual(140);
  expect(f.ms).toBeLessThan(1_000);
  expect(ex.summary.errorCode).toBe('upstream_timeout_first_token');
});

test('headers in time but no content: the deadline counts from the start, across reads', async () => {
  const ex = exchangeOver([{ kind: 'stream', events: chatEvents([]).slice(0, 1), end: 'stall' }]);
  ex.bound(200, 0);
  await ex.open();
  const first = await ex.nextBatch();
  expect(first?.blocks.length).toBe(1);
  expect((await failure(ex.nextBatch())).code).toBe('upstream_timeout_first_token');
});

test('once the content came, each read is bounded by stall_timeout alone', async () => {
  const ex = exchangeOver([{ kind: 'stream', events: chatEvents(['Hi']).slice(0, 2), end: 'stall' }]);
  ex.bound(5_000, 150);
  await ex.open();
  const first = await ex.nextBatch();
  expect(first?.blocks.length).toBeGreaterThan(0);
  ex.contentArrived();
  const f = await failure(readAll(ex));
  expect(f.code).toBe('upstream_timeout_stream');
  expect(f.reason).toContain('stall_timeout (150ms)');
  expect(f.ms).toBeLessThan(1_000);
});

test('a reader slower than stall_timeout between reads is not a stall', async () => {
  const events = chatEvents(['a', 'b', 'c']).map((e, i) => ({ ...e, delayMs: i === 0 ? 0 : 20 }));
  const ex = exchangeOver([{ kind: 'stream', events, end: 'done' }]);
  ex.bound(5_000, 100);
  await ex.open();
  await ex.nextBatch();
  ex.contentArrived();
  for (let b = await ex.nextBatch(); b; b = await ex.nextBatch()) await Bun.sleep(250);
  expect(ex.summary.outcome).toBe('ok');
});

test('contentArrived after the deadline ended the exchange throws that deadline', async () => {
  const ex = exchangeOver([{ kind: 'silent' }]);
  ex.bound(50, 0);
  await failure(ex.open());
  expect(() => ex.contentArrived()).toThrow(GatewayError);
});

test('without bounds, the read deadline is CLIENT_TIMEOUT as before', async () => {
  const ex = exchangeOver([{ kind: 'stream', events: chatEvents(['Hi']).slice(0, 2), end: 'stall' }], 150);
  await ex.open();
  const f = await failure(readAll(ex));
  expect(f.code).toBe('upstream_timeout_stream');
  expect(f.reason).toContain('CLIENT_TIMEOUT');
});
