/** Which failures retry the same deployment, which move on at once, which go back to the client. */
import { expect, test } from 'bun:test';
import { type ErrorCode, GatewayError } from '../../src/errors.ts';
import { classifyFailure, retryAfterHeader } from '../../src/routing/classify.ts';
import { upstream } from './harness.ts';

const err = (code: ErrorCode, status = 502): GatewayError => new GatewayError(status, code, 'x');

test.each([
  ['connect error / reset before the answer', err('upstream_unreachable'), 'retry', true],
  ['body cut before the answer', err('upstream_stream_cut'), 'retry', true],
  ['408', upstream(408), 'retry', true],
  ['429', upstream(429), 'retry', true],
  ['500', upstream(500), 'retry', true],
  ['502', upstream(502), 'retry', true],
  ['503', upstream(503), 'retry', true],
  ['504', upstream(504), 'retry', true],
  ['header timeout: not retried (it would only multiply the wait)', err('upstream_timeout_headers', 504), 'next', true],
  ['first-token timeout', err('upstream_timeout_first_token', 504), 'next', true],
  ['stall', err('upstream_timeout_stream'), 'next', true],
  ['error event before content', err('upstream_stream_error'), 'next', true],
  ['garbage answer', err('upstream_invalid'), 'next', true],
  ['other 5xx (501)', upstream(501), 'next', true],
  ['400 context_length_exceeded (code): a healthy deployment', upstream(400, { code: 'context_length_exceeded' }), 'next', false],
  ['400 context length (message)', upstream(400, { message: 'prompt is too long: 210000 tokens > 200000 maximum' }), 'next', false],
  ['400 other', upstream(400, { message: 'invalid temperature' }), 'client', false],
  ['401', upstream(401), 'client', false],
  ['404', upstream(404), 'client', false],
  ['422', upstream(422), 'client', false],
  ['a deployment that cannot take it (no vision)', err('provider_unsupported', 400), 'next', false],
  ['the client left', err('client_gone', 499), 'stop', false],
  ['an unexpected failure', err('internal', 500), 'client', false],
] as const)('%s → %s', (_name, e, action, unhealthy) => {
  expect(classifyFailure(e)).toEqual({ action, unhealthy });
});

test('Retry-After is read whatever its case', () => {
  expect(retryAfterHeader(upstream(429, { retryAfter: '3' }))).toBe('3');
  expect(retryAfterHeader(new GatewayError(429, 'upstream_error', 'x', { headers: { 'Retry-After': '7' } }))).toBe('7');
  expect(retryAfterHeader(upstream(429))).toBeUndefined();
});
