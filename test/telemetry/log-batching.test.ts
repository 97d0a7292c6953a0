import { expect, test } from 'bun:test';
import { flushLogs, LineBatcher } from '../../src/telemetry/log.ts';

function batcher(scrub?: (text: string) => string) {
  const writes: string[] = [];
  return { writes, lines: new LineBatcher((text) => writes.push(text), scrub) };
}

test('lines added together leave in one write, shortly after', async () => {
  const { writes, lines } = batcher();
  lines.add('{"n":1}\n');
  lines.add('{"n":2}\n');
  expect(writes).toHaveLength(0);
  // Due 10 ms later; a loaded machine may run the timer late, so wait for it rather than a fixed time.
  for (let waited = 0; writes.length === 0 && waited < 2000; waited += 5) await Bun.sleep(5);
  expect(writes).toEqual(['{"n":1}\n{"n":2}\n']);
  // Nothing pending: no further write.
  await Bun.sleep(20);
  expect(writes).toHaveLength(1);
});

test('a burst is written as soon as it passes the size bound, not held back', () => {
  const { writes, lines } = batcher();
  const line = `${JSON.stringify({ pad: 'x'.repeat(1000) })}\n`;
  for (let i = 0; i < 20; i++) lines.add(line);
  expect(writes.length).toBeGreaterThanOrEqual(1);
  expect(writes[0]!.length).toBeGreaterThanOrEqual(16 * 1024);
  flushLogs();
  expect(writes.join('')).toBe(line.repeat(20));
});

test('flushLogs writes what every batcher holds at once (shutdown)', () => {
  const a = batcher();
  const b = batcher();
  a.lines.add('a\n');
  b.lines.add('b\n');
  flushLogs();
  expect(a.writes).toEqual(['a\n']);
  expect(b.writes).toEqual(['b\n']);
});

test('the mask runs over each write, so a secret in any of its lines is hidden', () => {
  const secret = 'sk-batch-secret-42';
  const { writes, lines } = batcher((text) => text.replaceAll(secret, '[REDACTED]'));
  lines.add(`{"msg":"first ${secret}"}\n`);
  lines.add(`{"msg":"${secret} second"}\n`);
  flushLogs();
  expect(writes).toEqual(['{"msg":"first [REDACTED]"}\n{"msg":"[REDACTED] second"}\n']);
});

test("the default logger's lines reach stdout, masked, even when the process ends right after", async () => {
  const secret = 'sk-stdout-secret-77';
  const logModule = new URL('../../src/telemetry/log.ts', import.meta.url).pathname;
  const script = `
    const { createLogger } = await import(${JSON.stringify(logModule)});
    const logger = createLogger('info', undefined, [${JSON.stringify(secret)}]);
    logger.info('first', { key: ${JSON.stringify(secret)} });
    logger.warn('second');
  `;
  const proc = Bun.spawn([process.execPath, '-e', script], { stdout: 'pipe', stderr: 'pipe' });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.map((l) => l.msg)).toEqual(['first', 'second']);
  expect(lines[0]!.key).toBe('[REDACTED]');
  expect(out).not.toContain(secret);
});
