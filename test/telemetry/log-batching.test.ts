import { expect, test } from 'bun:test';
import { LineBatcher } from '../../src/telemetry/log.ts';

function batcher(scrub?: (text: string) => string) {
  const writes: string[] = [];
  return { writes, lines: new LineBatcher((text) => writes.push(text), scrub) };
}

test('a line after a quiet spell is written at once; the lines right after it leave together, shortly after', async () => {
  const { writes, lines } = batcher();
  lines.add('{"n":1}\n');
  expect(writes).toEqual(['{"n":1}\n']);
  lines.add('{"n":2}\n');
  lines.add('{"n":3}\n');
  expect(writes).toHaveLength(1);
  // Due 10 ms later; a loaded machine may run the timer late, so wait for it rather than a fixed time.
  for (let waited = 0; writes.length === 1 && waited < 2000; waited += 5) await Bun.sleep(5);
  expect(writes).toEqual(['{"n":1}\n', '{"n":2}\n{"n":3}\n']);
  // Nothing pending: no further write.
  await Bun.sleep(30);
  expect(writes).toHaveLength(2);
  // Quiet again: the next line goes out at once.
  lines.add('{"n":4}\n');
  expect(writes).toHaveLength(3);
});

test('a burst is written as soon as it passes the size bound, not held back', () => {
  const { writes, lines } = batcher();
  const line = `${JSON.stringify({ pad: 'x'.repeat(1000) })}\n`;
  for (let i = 0; i < 20; i++) lines.add(line);
  // The first line at once, then one write as soon as 16 KB were held.
  expect(writes.length).toBeGreaterThanOrEqual(2);
  expect(writes[1]!.length).toBeGreaterThanOrEqual(16 * 1024);
  lines.flush();
  expect(writes.join('')).toBe(line.repeat(20));
});

test('flush writes what a batcher holds at once (shutdown), and only its own lines', () => {
  const a = batcher();
  const b = batcher();
  a.lines.add('a1\n');
  a.lines.add('a2\n');
  b.lines.add('b1\n');
  b.lines.add('b2\n');
  expect(a.writes).toEqual(['a1\n']);
  a.lines.flush();
  expect(a.writes).toEqual(['a1\n', 'a2\n']);
  expect(b.writes).toEqual(['b1\n']);
  b.lines.flush();
  expect(b.writes).toEqual(['b1\n', 'b2\n']);
});

test('the mask runs over each write, so a secret in any of its lines is hidden', () => {
  const secret = 'sk-batch-secret-42';
  const { writes, lines } = batcher((text) => text.replaceAll(secret, '[REDACTED]'));
  lines.add(`{"msg":"alone ${secret}"}\n`);
  lines.add(`{"msg":"first ${secret}"}\n`);
  lines.add(`{"msg":"${secret} second"}\n`);
  lines.flush();
  expect(writes).toEqual(['{"msg":"alone [REDACTED]"}\n', '{"msg":"first [REDACTED]"}\n{"msg":"[REDACTED] second"}\n']);
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
