import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config.ts';
import { configProblems } from '../helpers/config-problems.ts';
import { testGateway } from '../helpers/gateway.ts';


describe('auth settings', () => {
  test('AUTH_ENABLE=true with AUTH_OIDC_ISSUER set but empty stops start-up', () => {
    expect(configProblems({ AUTH_ENABLE: 'true', AUTH_OIDC_ISSUER: '' })).toEqual(['AUTH_ENABLE=true needs AUTH_OIDC_ISSUER (it is set but empty)']);
    expect(configProblems({ AUTH_ENABLE: 'true', AUTH_OIDC_ISSUER: '   ' })).toEqual(['AUTH_ENABLE=true needs AUTH_OIDC_ISSUER (it is set but empty)']);
  });

  test('an empty client id, or an issuer that is not an http(s) URL, is refused too', () => {
    expect(configProblems({ AUTH_ENABLE: 'true', AUTH_OIDC_CLIENT_ID: '' })).toEqual([
      'AUTH_ENABLE=true needs AUTH_OIDC_CLIENT_ID (it is set but empty): tokens must name it in aud',
    ]);
    expect(configProblems({ AUTH_ENABLE: 'true', AUTH_OIDC_ISSUER: 'keycloak/realms/x' })).toEqual([
      'AUTH_OIDC_ISSUER: expected an http(s) URL, got "keycloak/realms/x"',
    ]);
  });

  test("unset issuer and client id take the spec's defaults", () => {
    const { auth } = loadConfig({ AUTH_ENABLE: 'true' });
    expect(auth).toEqual({
      enable: true,
      issuer: 'http://keycloak:8080/realms/inference-gateway-realm',
      clientId: 'inference-gateway-client',
      clientSecret: undefined,
    });
  });

  test('with auth off, empty auth settings are fine and no route asks for a token', async () => {
    expect(configProblems({ AUTH_ENABLE: 'false', AUTH_OIDC_ISSUER: '', AUTH_OIDC_CLIENT_ID: '' })).toEqual([]);
    const res = await testGateway({ AUTH_ENABLE: 'false' }).req('/v1/mcp/tools');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});
