// OIDC discovery and JWKS: the URLs and capabilities the Workers and Auth0 SDKs read from an Auth0 tenant.
import { describe, expect, it } from 'vitest';
import { useTestIdp } from './support/test-idp.js';

const PORT = 18791;

const test = useTestIdp(PORT);

describe('discovery', () => {
  it('should serve an issuer with a trailing slash and a domain without scheme, like Auth0', () => {
    expect(test().idp.issuer).toBe(`http://localhost:${PORT}/`);
    expect(test().idp.domain).toBe(`localhost:${PORT}`);
  });

  it("should publish Auth0's endpoint paths and the capabilities this product relies on", async () => {
    const response = await fetch(new URL('.well-known/openid-configuration', test().idp.issuer));
    expect(response.status).toBe(200);
    const config = (await response.json()) as Record<string, unknown>;
    const base = `http://localhost:${PORT}`;
    expect(config).toMatchObject({
      issuer: test().idp.issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      userinfo_endpoint: `${base}/userinfo`,
      revocation_endpoint: `${base}/oauth/revoke`,
      end_session_endpoint: `${base}/oidc/logout`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(config.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(config.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'offline_access']));
    expect(config.token_endpoint_auth_methods_supported).toContain('client_secret_post');
  });

  it('should publish exactly one RS256 public signing key with a kid and no private parts', async () => {
    const response = await fetch(new URL('.well-known/jwks.json', test().idp.issuer));
    const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(privatePart);
  });

  it('should answer an unknown path with 404 and no stack trace', async () => {
    const response = await fetch(new URL('no/such/path', test().idp.issuer));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/\.js:\d+/);
  });
});
