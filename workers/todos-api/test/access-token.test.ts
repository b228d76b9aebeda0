// Access token checks of verifyAccessToken(): RFC 6750 challenges for missing, malformed, forged and mis-scoped tokens.
import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { callWorker, problemOf } from './support/call-worker.js';
import { audience, base64url, issuer, jwksRequests, mintToken, publicJwk, unreachableIssuer } from './support/fake-idp-jwks.js';

const invalidToken = (description: string) => `Bearer realm="todos-api", error="invalid_token", error_description="${description}"`;

/** Calls GET /api/me and checks the 401 invalid_token answer, including that the token is not echoed. */
async function expectRejected(token: string, description: string): Promise<void> {
  const response = await callWorker('/api/me', { token });
  const text = await response.clone().text();
  expect(response.status).toBe(401);
  expect(response.headers.get('WWW-Authenticate')).toBe(invalidToken(description));
  expect(await problemOf(response)).toEqual({ title: 'Unauthorized', status: 401, detail: description, error: 'invalid_token' });
  expect(text).not.toContain(token);
}

describe('GET /api/me', () => {
  it('should return the verified claims of a valid token', async () => {
    const token = await mintToken('auth0|alice', ['read:todos']);
    const response = await callWorker('/api/me', { token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: 'auth0|alice', iss: issuer, aud: audience, scope: 'read:todos' });
  });

  it('should fetch the JWKS once and reuse it across requests', async () => {
    await callWorker('/api/me', { token: await mintToken('auth0|alice', []) });
    const fetchesBefore = jwksRequests.length;
    for (let i = 0; i < 3; i++) {
      expect((await callWorker('/api/me', { token: await mintToken('auth0|alice', []) })).status).toBe(200);
    }
    expect(jwksRequests.length).toBe(fetchesBefore);
  });
});

describe('a request without usable credentials', () => {
  it('should get 401 with a bare Bearer challenge when there is no Authorization header', async () => {
    const response = await callWorker('/api/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="todos-api"');
    expect(await problemOf(response)).toEqual({
      title: 'Unauthorized',
      status: 401,
      detail: 'An access token is required: send "Authorization: Bearer <token>".',
      error: 'unauthorized',
    });
  });

  it.each([['Basic YWxpY2U6c2VjcmV0'], ['Bearer'], ['Bearer two tokens'], ['Bearer not"b64token']])(
    'should get 400 invalid_request for the malformed header %j',
    async (authorization) => {
      const response = await callWorker('/api/me', { authorization });
      const description = 'The Authorization header must be Bearer followed by one token';
      expect(response.status).toBe(400);
      expect(response.headers.get('WWW-Authenticate')).toBe(
        `Bearer realm="todos-api", error="invalid_request", error_description="${description}"`,
      );
      expect(await problemOf(response)).toEqual({ title: 'Bad Request', status: 400, detail: description, error: 'invalid_request' });
    },
  );
});

describe('a forged or invalid token', () => {
  it('should be rejected when it is not a JWT at all', async () => {
    await expectRejected('not-a-jwt', 'The access token is malformed');
  });

  it('should be rejected with alg "none"', async () => {
    const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url(JSON.stringify({ iss: issuer, aud: audience, sub: 'auth0|mallory', exp: now + 300, scope: 'read:todos' }));
    await expectRejected(`${header}.${payload}.`, 'The access token must be signed with RS256');
  });

  it('should be rejected when HS256-signed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({ scope: 'read:todos write:todos' })
      .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid! })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('auth0|mallory')
      .setExpirationTime('5m')
      .sign(secret);
    await expectRejected(token, 'The access token must be signed with RS256');
  });

  it('should be rejected when issued by another issuer', async () => {
    await expectRejected(
      await mintToken('auth0|alice', [], { claims: { iss: 'https://evil.example/' } }),
      'The access token has an invalid iss claim',
    );
  });

  it('should be rejected when meant for another audience', async () => {
    await expectRejected(
      await mintToken('auth0|alice', [], { claims: { aud: 'urn:other-api' } }),
      'The access token has an invalid aud claim',
    );
  });

  it('should be rejected when expired beyond the clock tolerance', async () => {
    await expectRejected(await mintToken('auth0|alice', [], { expiresIn: -120 }), 'The access token expired');
  });

  it('should be rejected when its nbf is in the future', async () => {
    const nbf = Math.floor(Date.now() / 1000) + 600;
    await expectRejected(await mintToken('auth0|alice', [], { claims: { nbf }, expiresIn: 900 }), 'The access token is not valid yet');
  });

  it('should be rejected when its payload was tampered with', async () => {
    const [header, , signature] = (await mintToken('auth0|alice', ['read:todos'])).split('.');
    const forged = base64url(JSON.stringify({ iss: issuer, aud: audience, sub: 'auth0|alice', exp: 9_999_999_999, scope: 'read:billing' }));
    await expectRejected(`${header}.${forged}.${signature}`, 'The access token signature is invalid');
  });

  it('should be rejected when signed with a key id the IdP does not publish', async () => {
    await expectRejected(await mintToken('auth0|alice', [], { kid: 'unknown-kid' }), 'The access token is signed with an unknown key');
  });

  it('should be rejected when it has no subject', async () => {
    await expectRejected(await mintToken('auth0|alice', [], { claims: { sub: undefined } }), 'The access token has an invalid sub claim');
  });
});

describe('when the identity provider is unreachable', () => {
  it('should answer 503 temporarily_unavailable, not 401', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const token = await mintToken('auth0|alice', [], { claims: { iss: unreachableIssuer } });
    const response = await callWorker('/api/me', { token, vars: { AUTH0_ISSUER: unreachableIssuer } });
    // The operator sees the real reason; the client does not.
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining('503 temporarily_unavailable'),
      expect.objectContaining({ message: 'Network connection lost.' }),
    );
    log.mockRestore();
    expect(response.status).toBe(503);
    expect(response.headers.get('WWW-Authenticate')).toBeNull();
    expect(response.headers.get('Retry-After')).toBe('30');
    expect(await problemOf(response)).toEqual({
      title: 'Service Unavailable',
      status: 503,
      detail: "The identity provider's signing keys could not be fetched; try again later.",
      error: 'temporarily_unavailable',
    });
  });
});

describe('a misconfigured Worker', () => {
  it('should answer 500 server_error without details when AUTH0_ISSUER is http:// on a public host', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const token = await mintToken('auth0|alice', []);
    const response = await callWorker('/api/me', { token, vars: { AUTH0_ISSUER: 'http://idp.example.com/' } });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('500 server_error'), expect.objectContaining({ name: 'AuthConfigError' }));
    log.mockRestore();
    expect(response.status).toBe(500);
    expect(await problemOf(response)).toEqual({
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server is misconfigured.',
      error: 'server_error',
    });
  });
});

describe('requireScope()', () => {
  it('should answer 403 insufficient_scope naming the missing scope', async () => {
    const response = await callWorker('/api/todos', { token: await mintToken('auth0|alice', ['write:todos']) });
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="todos-api", error="insufficient_scope", scope="read:todos"');
    expect(await problemOf(response)).toEqual({
      title: 'Forbidden',
      status: 403,
      detail: 'The access token lacks the "read:todos" scope.',
      error: 'insufficient_scope',
    });
  });

  it('should accept a scope granted only in the permissions array (Auth0 RBAC)', async () => {
    const token = await mintToken('auth0|alice', [], { claims: { scope: 'openid', permissions: ['read:todos'] } });
    expect((await callWorker('/api/todos', { token })).status).toBe(200);
  });

  it('should accept a scope granted only in the scope claim', async () => {
    const token = await mintToken('auth0|alice', [], { claims: { scope: 'openid read:todos', permissions: undefined } });
    expect((await callWorker('/api/todos', { token })).status).toBe(200);
  });
});
