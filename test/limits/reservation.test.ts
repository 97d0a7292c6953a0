import { describe, expect, test } from 'bun:test';
import { tokenReservation } from '../../src/limits/reservation.ts';

describe('token reservation before a call', () => {
  test.each([
    ['max_tokens of a chat', { max_tokens: 100 }, 0, 100],
    ['max_completion_tokens first', { max_completion_tokens: 50, max_tokens: 100 }, 0, 50],
    ['max_output_tokens of a responses call', { max_output_tokens: 70 }, 0, 70],
    ['the default when none is given', { model: 'x' }, 0, 4096],
    ['the default for a body that is not an object', null, 0, 4096],
    ['the default for a cap that is not a number', { max_tokens: '9' }, 0, 4096],
    ['the prompt estimated at 4 characters a token', { max_tokens: 10 }, 401, 10 + 101],
  ])('%s', (_name, body, promptChars, expected) => {
    expect(tokenReservation(body, promptChars, 4096)).toBe(expected);
  });
});
