// resolveAuthConfig(): issuer, audience and JWKS URL from the Worker's vars, and loud failures for bad ones.
import { describe, expect, it } from 'vitest';
import { AuthConfigError, resolveAuthConfig } from '../src/auth/auth-config.js';

describe('resolveAuthConfig()', () => {
  it('should derive the Auth0 issuer and JWKS URL from AUTH0_DOMAIN', () => {
    const config = resolveAuthConfig({ AUTH0_DOMAIN: 'example.us.auth0.com', AUTH0_AUDIENCE: 'urn:todos-api' });
    expect(config.issuer).toBe('https://example.us.auth0.com/');
    expect(config.audience).toBe('urn:todos-api');
    expect(config.jwksUrl.href).toBe('https://example.us.auth0.com/.well-known/jwks.json');
  });

  it.each(['http://localhost:8790/', 'http://127.0.0.1:8790/', 'http://[::1]:8790/'])(
    'should accept the loopback http:// issuer %s and prefer it over AUTH0_DOMAIN',
    (issuer) => {
      const config = resolveAuthConfig({ AUTH0_ISSUER: issuer, AUTH0_DOMAIN: 'example.us.auth0.com', AUTH0_AUDIENCE: 'urn:todos-api' });
      expect(config.issuer).toBe(issuer);
      expect(config.jwksUrl.href).toBe(`${issuer}.well-known/jwks.json`);
    },
  );

  it.each([
    [
      { AUTH0_ISSUER: 'http://idp.example.com/' },
      'AUTH0_ISSUER uses http:// on a non-loopback host (idp.example.com): only https:// is allowed there.',
    ],
    [{ AUTH0_ISSUER: 'ftp://localhost/' }, 'AUTH0_ISSUER must be an https:// URL (http:// only on loopback); got protocol "ftp:".'],
    [{ AUTH0_ISSUER: 'not a url' }, 'AUTH0_ISSUER is not an absolute URL: "not a url".'],
    [{ AUTH0_DOMAIN: '' }, 'Neither AUTH0_ISSUER nor AUTH0_DOMAIN is set: set AUTH0_DOMAIN to the Auth0 tenant domain.'],
    [
      { AUTH0_DOMAIN: 'https://example.us.auth0.com/' },
      'AUTH0_DOMAIN must be a host name like "example.us.auth0.com", without scheme or path; got "https://example.us.auth0.com/".',
    ],
    [
      { AUTH0_DOMAIN: 'example.us.auth0.com', AUTH0_AUDIENCE: ' ' },
      'AUTH0_AUDIENCE is empty: set it to the API identifier (the tokens\' "aud").',
    ],
  ])('should fail loudly for %j', (vars, message) => {
    const call = () => resolveAuthConfig({ AUTH0_DOMAIN: '', AUTH0_AUDIENCE: 'urn:todos-api', ...vars });
    expect(call).toThrow(AuthConfigError);
    expect(call).toThrow(message);
  });
});
