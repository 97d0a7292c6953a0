/** Preloaded before every test file: after the whole suite, no configured secret may appear anywhere. */
import { afterAll } from 'bun:test';
import { ALL_ERROR_BODIES, ALL_LOG_LINES, ALL_SECRETS } from './helpers/gateway.ts';

afterAll(() => {
  const leaks: string[] = [];
  // Two-letter test keys would match ordinary words; every real-looking key is checked.
  for (const secret of [...ALL_SECRETS].filter((s) => s.length >= 6)) {
    if (ALL_LOG_LINES.some((l) => l.includes(secret))) leaks.push(`a log line holds the secret configured as ${secret.slice(0, 3)}…`);
    if (ALL_ERROR_BODIES.some((b) => b.includes(secret))) leaks.push(`an error body holds the secret configured as ${secret.slice(0, 3)}…`);
  }
  if (leaks.length > 0) throw new Error(`secrets leaked during the suite:\n${leaks.join('\n')}`);
});
