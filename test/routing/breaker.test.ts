/** A breaker opens after N consecutive unhealthy failures, skips for the cooldown, then lets exactly one probe through. */
import { expect, test } from 'bun:test';
import { Breaker, BreakerBoard } from '../../src/routing/breaker.ts';

function make(failures = 3, cooldownMs = 1000): { b: Breaker; clock: { t: number } } {
  const clock = { t: 0 };
  return { b: new Breaker({ failures, cooldownMs }, () => clock.t), clock };
}

test('opens after `failures` consecutive failures; a success in between resets the count', () => {
  const { b } = make(3);
  b.onFailure();
  b.onFailure();
  b.onSuccess();
  b.onFailure();
  b.onFailure();
  expect(b.state).toBe('closed');
  b.onFailure();
  expect(b.state).toBe('open');
  expect(b.tryPass()).toBe(false);
});

test('after the cooldown: half-open, exactly one probe; its success closes', () => {
  const { b, clock } = make(1, 1000);
  b.onFailure();
  clock.t = 999;
  expect(b.tryPass()).toBe(false);
  clock.t = 1000;
  expect(b.state).toBe('half_open');
  expect(b.tryPass()).toBe(true);
  expect(b.tryPass()).toBe(false);
  expect(b.available).toBe(false);
  b.onSuccess();
  expect(b.state).toBe('closed');
  expect(b.tryPass()).toBe(true);
});

test('a failed probe reopens for a whole cooldown', () => {
  const { b, clock } = make(1, 1000);
  b.onFailure();
  clock.t = 1500;
  expect(b.tryPass()).toBe(true);
  b.onFailure();
  expect(b.state).toBe('open');
  clock.t = 2499;
  expect(b.tryPass()).toBe(false);
  clock.t = 2500;
  expect(b.tryPass()).toBe(true);
});

test('a neutral probe (client error, client gone) frees the slot; a hung probe holds it one cooldown at most', () => {
  const { b, clock } = make(1, 1000);
  b.onFailure();
  clock.t = 1000;
  expect(b.tryPass()).toBe(true);
  b.onNeutral();
  expect(b.tryPass()).toBe(true);
  clock.t = 1999;
  expect(b.tryPass()).toBe(false);
  clock.t = 2000;
  expect(b.tryPass()).toBe(true);
});

test('the board keeps one breaker per deployment and reads out the gauge', () => {
  const clock = { t: 0 };
  const board = new BreakerBoard(() => clock.t);
  board.get('openai/a', { failures: 1, cooldownMs: 100 }).onFailure();
  board.get('groq/b', { failures: 1, cooldownMs: 100 });
  expect(board.readout()).toEqual([
    { deployment: 'openai/a', state: 'open', value: 2 },
    { deployment: 'groq/b', state: 'closed', value: 0 },
  ]);
  clock.t = 100;
  expect(board.readout()[0]).toEqual({ deployment: 'openai/a', state: 'half_open', value: 1 });
  // Settings follow a reloaded file.
  expect(board.get('openai/a', { failures: 9, cooldownMs: 5 }).settings).toEqual({ failures: 9, cooldownMs: 5 });
});
