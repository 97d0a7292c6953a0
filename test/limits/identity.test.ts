import { describe, expect, test } from 'bun:test';
import { identityOf, type IdentitySources } from '../../src/limits/identity.ts';

const NAMES = { callerClaim: 'email', teamClaim: 'groups' };

describe('identity of a request', () => {
  test.each<[string, IdentitySources, { callerClaim: string; teamClaim?: string }, unknown]>([
    ['caller and one team from claims', { claims: { sub: 's1', email: 'a@x', groups: 'research' }, address: '10.0.0.1' }, NAMES, { caller: 'a@x', teams: ['research'], source: 'token' }],
    ['teams from an array claim, deduplicated, non-strings left out', { claims: { email: 'a@x', groups: ['r', 'ops', 'r', 7, null] }, address: '' }, NAMES, { caller: 'a@x', teams: ['r', 'ops', '7'], source: 'token' }],
    ['sub when the caller claim is missing', { claims: { sub: 's1' }, address: '' }, NAMES, { caller: 's1', teams: [], source: 'token' }],
    ['no team without a team claim name', { claims: { sub: 's1', groups: ['r'] }, address: '' }, { callerClaim: 'sub' }, { caller: 's1', teams: [], source: 'token' }],
    ['a nested claim by a dotted name', { claims: { sub: 's1', realm_access: { roles: ['admin'] } }, address: '' }, { callerClaim: 'sub', teamClaim: 'realm_access.roles' }, { caller: 's1', teams: ['admin'], source: 'token' }],
    ['a claim whose own name holds a dot', { claims: { sub: 's1', 'https://x/team': 'blue' }, address: '' }, { callerClaim: 'sub', teamClaim: 'https://x/team' }, { caller: 's1', teams: ['blue'], source: 'token' }],
    ['an API key entry', { apiKey: { caller: 'ci-bot', teams: ['platform'] }, address: '10.0.0.1' }, NAMES, { caller: 'ci-bot', teams: ['platform'], source: 'api_key' }],
    ['the address when nothing else is known', { address: '10.0.0.1' }, NAMES, { caller: '10.0.0.1', teams: [], source: 'address' }],
    ['the API key when the claims name nobody', { claims: { aud: 'x' }, apiKey: { caller: 'k', teams: [] }, address: '' }, NAMES, { caller: 'k', teams: [], source: 'api_key' }],
  ])('%s', (_name, sources, names, expected) => {
    expect(identityOf(sources, names)).toEqual(expected as ReturnType<typeof identityOf>);
  });
});
