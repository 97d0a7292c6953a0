/** withKeepAlive: pings while a read is pending, without losing the read or its failure. */
import { describe, expect, test } from 'bun:test';
import { withKeepAlive } from '../../src/protocols/keep-alive.ts';

describe('withKeepAlive', () => {
  test('a slow read gives pings, then its own value; a fast one no ping', async () => {
    const values = ['a', 'b'];
    const delays = [70, 0];
    let calls = 0;
    const next = withKeepAlive(
      async () => {
        const i = calls++;
        await Bun.sleep(delays[i] ?? 0);
        return values[i];
      },
      20,
      () => 'ping',
    );
    const got: (string | undefined)[] = [];
    for (let i = 0; i < 10 && !got.includes('b'); i++) got.push(await next());
    expect(got.filter((g) => g === 'ping').length).toBeGreaterThanOrEqual(2);
    expect(got.filter((g) => g !== 'ping')).toEqual(['a', 'b']);
    expect(calls).toBe(2);
  });

  test('a read that fails during a ping fails the next call', async () => {
    const next = withKeepAlive(
      async () => {
        await Bun.sleep(40);
        throw new Error('cut');
      },
      10,
      () => 'ping',
    );
    expect(await next()).toBe('ping');
    let err: unknown;
    for (let i = 0; i < 10 && err === undefined; i++) await next().catch((e: unknown) => (err = e));
    expect((err as Error).message).toBe('cut');
  });
});
