/** The memory conversation store: TTL, the count bound, copies in and out. */
import { describe, expect, test } from 'bun:test';
import { MemoryResponseStore, type StoredConversation } from '../../src/protocols/responses/store.ts';

const conv = (text: string): StoredConversation => ({ messages: [{ role: 'user', content: text }] });

describe('MemoryResponseStore', () => {
  test('a conversation is there until its TTL passes, then gone', async () => {
    let now = 1000;
    const store = new MemoryResponseStore(10, () => now);
    await store.put('resp_1', conv('a'), 500);
    now = 1499;
    expect(await store.get('resp_1')).toEqual(conv('a'));
    now = 1500;
    expect(await store.get('resp_1')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test('at the bound, expired entries go first, then the oldest', async () => {
    let now = 0;
    const store = new MemoryResponseStore(3, () => now);
    await store.put('old', conv('old'), 10_000);
    await store.put('short', conv('short'), 5);
    await store.put('mid', conv('mid'), 10_000);
    now = 10;
    await store.put('new1', conv('n1'), 10_000);
    expect(await store.get('old')).toEqual(conv('old'));
    expect(await store.get('short')).toBeUndefined();
    await store.put('new2', conv('n2'), 10_000);
    expect(store.size).toBe(3);
    expect(await store.get('old')).toBeUndefined();
    expect((await store.get('new2'))?.messages[0]?.content).toBe('n2');
  });

  test('no TTL keeps nothing; stored values are copies', async () => {
    const store = new MemoryResponseStore();
    await store.put('resp_0', conv('x'), 0);
    expect(await store.get('resp_0')).toBeUndefined();
    const c = conv('y');
    await store.put('resp_1', c, 1000);
    c.messages.push({ role: 'user', content: 'later' });
    const got = await store.get('resp_1');
    expect(got).toEqual(conv('y'));
    got?.messages.pop();
    expect(await store.get('resp_1')).toEqual(conv('y'));
  });

  test('two stores share nothing', async () => {
    const a = new MemoryResponseStore();
    const b = new MemoryResponseStore();
    await a.put('resp_1', conv('a'), 1000);
    expect(await b.get('resp_1')).toBeUndefined();
  });
});
