/** The first deployment per strategy, then the rest in file order; cursors per Picker (per replica). */
import { expect, test } from 'bun:test';
import { Picker } from '../../src/routing/picker.ts';
import { dep, route } from './harness.ts';

const A = dep('openai', 'a', { weight: 3 });
const B = dep('groq', 'b', { weight: 1 });
const C = dep('mistral', 'c', { weight: 0.5 });
const names = (list: { provider: string }[]): string => list.map((d) => d.provider[0]).join('');

test('fallback: always in file order', () => {
  const p = new Picker();
  const r = route([A, B, C], {}, 'fallback');
  expect([1, 2, 3].map(() => names(p.order(r)))).toEqual(['ogm', 'ogm', 'ogm']);
});

test('round_robin: rotates the first pick; the rest follow in file order', () => {
  const p = new Picker();
  const r = route([A, B, C], {}, 'round_robin');
  expect([1, 2, 3, 4].map(() => names(p.order(r)))).toEqual(['ogm', 'gom', 'mog', 'ogm']);
});

test('round_robin cursors are per picker (per replica) and per alias', () => {
  const r = route([A, B], {}, 'round_robin');
  const other = { ...r, alias: 'other' };
  const p1 = new Picker();
  const p2 = new Picker();
  expect([names(p1.order(r)), names(p1.order(other)), names(p2.order(r))]).toEqual(['og', 'og', 'og']);
});

test.each([
  [0, 'ogm'],
  [0.66, 'ogm'],
  [0.67, 'gom'],
  [0.88, 'gom'],
  [0.89, 'mog'],
  [0.999, 'mog'],
])('weighted 3 : 1 : 0.5 with random %d → %s', (r, order) => {
  expect(names(new Picker(() => r).order(route([A, B, C], {}, 'weighted')))).toBe(order);
});
