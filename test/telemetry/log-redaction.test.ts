import { expect, test } from 'bun:test';
import { createLogger } from '../../src/telemetry/log.ts';
import { Telemetry } from '../../src/telemetry/telemetry.ts';

const SECRET = 'sk-redact-me-0123';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line), [SECRET]);
  return { lines, logger };
}

test('a configured secret is masked in any field of an ordinary line', () => {
  const { lines, logger } = capture();
  logger.warn(`upstream said ${SECRET}`, { detail: `key=${SECRET}`, nested: { again: SECRET } });
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain(SECRET);
  expect(lines[0]!.match(/\[REDACTED\]/g)).toHaveLength(3);
  expect(() => JSON.parse(lines[0]!)).not.toThrow();
});

test('the request line masks a secret in every value a client or provider controls, and stays JSON', () => {
  const { lines, logger } = capture();
  const telemetry = new Telemetry(logger);
  const request = new Request('http://gw/v1/chat/completions', { method: 'POST', headers: { 'x-request-id': SECRET } });
  const rec = telemetry.records.start(request, '/v1/chat/completions');
  expect(rec.id).toBe(SECRET);
  Object.assign(rec, { provider: 'openai', model: `gpt-${SECRET}`, status: 502, error: { code: 'upstream_error', reason: `Provider said "${SECRET}"` } });
  telemetry.finish(rec);
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain(SECRET);
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(line).toMatchObject({
    msg: 'request',
    request_id: '[REDACTED]',
    model: 'gpt-[REDACTED]',
    error_code: 'upstream_error',
    reason: 'Provider said "[REDACTED]"',
    status: 502,
    route: '/v1/chat/completions',
  });
});
