// The authorization code flow as the MCP server Worker drives it: plain fetch + form posts, PKCE S256, Auth0's audience.
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { allTodosPermissions, mcpCallbackUrl, mcpServer, todosApi } from '../../../system/system.js';
import { pkcePair } from '../../../test/support/browserless-mcp-login.js';
import { authorizeUrl, BrowserlessSession } from './support/browserless-idp-session.js';
import { TEST_MCP_URL, useTestIdp } from './support/test-idp.js';
import { tokenRequest } from './support/token-request.js';

const PORT = 18792;
const REDIRECT_URI = mcpCallbackUrl(TEST_MCP_URL);

const test = useTestIdp(PORT);

/** An MCP server login for a grant the user approved read and write for (what /authorize then asks for). */
const LOGIN_SCOPE = `${mcpServer.scope} write:todos`;

async function logIn(email: string, password: string, nonce = 'nonce-123') {
  const { idp } = test();
  const pkce = pkcePair();
  const session = new BrowserlessSession();
  const redirect = await session.login(
    authorizeUrl(idp.issuer, {
      clientId: idp.mcpApp.clientId,
      redirectUri: REDIRECT_URI,
      scope: LOGIN_SCOPE,
      audience: todosApi.identifier,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      state: 'state-abc',
      nonce,
    }),
    idp.issuer,
    email,
    password,
  );
  return { redirect, pkce, session };
}

async function exchange(code: string, verifier: string) {
  const { idp } = test();
  return tokenRequest(idp.issuer, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
    client_id: idp.mcpApp.clientId,
    client_secret: idp.mcpApp.clientSecret,
  });
}

async function loggedInTokens(userIndex = 0) {
  const user = test().idp.users[userIndex]!;
  const { redirect, pkce } = await logIn(user.email, user.password);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect.toString()}`);
  const { status, body } = await exchange(code, pkce.verifier);
  expect(status).toBe(200);
  return body as { access_token: string; refresh_token: string; id_token: string; scope: string; expires_in: number };
}

function refresh(refreshToken: string) {
  const { idp } = test();
  return tokenRequest(idp.issuer, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: idp.mcpApp.clientId,
    client_secret: idp.mcpApp.clientSecret,
  });
}

describe('authorization code flow (fetch + form posts)', () => {
  it('should redirect to the registered callback with a code, the state and the issuer', async () => {
    const user = test().idp.users[0]!;
    const { redirect } = await logIn(user.email, user.password);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get('code')).toBeTruthy();
    expect(redirect.searchParams.get('state')).toBe('state-abc');
    expect(redirect.searchParams.get('iss')).toBe(test().idp.issuer);
  });

  it('should issue an RS256 JWT access token for urn:todos-api with scope and permissions, verifiable with the JWKS', async () => {
    const tokens = await loggedInTokens(0);
    const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', test().idp.issuer));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: test().idp.issuer,
      audience: todosApi.identifier,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.sub).toBe(test().idp.users[0]!.sub);
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
    // The token carries the permissions the login asked for (read:todos write:todos here), not read:billing.
    expect(String(payload.scope).split(' ').sort()).toEqual(['read:todos', 'write:todos']);
    expect(payload.permissions).toEqual(['read:todos', 'write:todos']);
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('should issue an ID token with the nonce and the email and name claims', async () => {
    const user = test().idp.users[1]!;
    const { redirect, pkce } = await logIn(user.email, user.password, 'nonce-for-bob');
    const { body } = await exchange(redirect.searchParams.get('code')!, pkce.verifier);
    const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', test().idp.issuer));
    const { payload } = await jwtVerify(String(body.id_token), jwks, {
      issuer: test().idp.issuer,
      audience: test().idp.mcpApp.clientId,
    });
    expect(payload).toMatchObject({ sub: user.sub, nonce: 'nonce-for-bob', email: user.email, email_verified: true, name: user.name });
  });

  it('should refuse a code exchanged with the wrong code_verifier', async () => {
    const user = test().idp.users[0]!;
    const { redirect } = await logIn(user.email, user.password);
    const { status, body } = await exchange(redirect.searchParams.get('code')!, pkcePair().verifier);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('should refuse a code used twice', async () => {
    const user = test().idp.users[0]!;
    const { redirect, pkce } = await logIn(user.email, user.password);
    const code = redirect.searchParams.get('code')!;
    expect((await exchange(code, pkce.verifier)).status).toBe(200);
    const second = await exchange(code, pkce.verifier);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
  });

  it('should refuse the plain PKCE method', async () => {
    const session = new BrowserlessSession();
    const url = authorizeUrl(test().idp.issuer, {
      clientId: test().idp.mcpApp.clientId,
      redirectUri: REDIRECT_URI,
      scope: 'openid',
      codeChallenge: 'a'.repeat(43),
      codeChallengeMethod: 'plain',
      state: 's',
    });
    const { url: landed } = await session.follow(url, test().idp.issuer);
    expect(`${landed.origin}${landed.pathname}`).toBe(REDIRECT_URI);
    expect(landed.searchParams.get('error')).toBe('invalid_request');
    expect(landed.searchParams.get('error_description')).toMatch(/code_challenge_method/);
  });

  it('should refuse an authorization request without PKCE', async () => {
    const session = new BrowserlessSession();
    const url = authorizeUrl(test().idp.issuer, {
      clientId: test().idp.mcpApp.clientId,
      redirectUri: REDIRECT_URI,
      scope: 'openid',
      state: 's',
    });
    const { url: landed } = await session.follow(url, test().idp.issuer);
    expect(landed.searchParams.get('error')).toBe('invalid_request');
  });

  it('should show an HTML error page, not a redirect, for an unregistered redirect_uri', async () => {
    const url = authorizeUrl(test().idp.issuer, {
      clientId: test().idp.mcpApp.clientId,
      redirectUri: 'http://localhost:18788/evil',
      scope: 'openid',
      codeChallenge: pkcePair().challenge,
      codeChallengeMethod: 'S256',
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('redirect_uri');
    expect(html).not.toMatch(/at .*\.js:\d+/);
  });

  it('should show an HTML error page for an unknown client', async () => {
    const url = authorizeUrl(test().idp.issuer, { clientId: 'no-such-client', redirectUri: REDIRECT_URI, scope: 'openid' });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_client');
  });

  it('should show the form again with an error after a wrong password, without redirecting', async () => {
    const session = new BrowserlessSession();
    const pkce = pkcePair();
    const page = await session.follow(
      authorizeUrl(test().idp.issuer, {
        clientId: test().idp.mcpApp.clientId,
        redirectUri: REDIRECT_URI,
        scope: 'openid',
        codeChallenge: pkce.challenge,
        codeChallengeMethod: 'S256',
      }),
      test().idp.issuer,
    );
    const action = /<form method="post" action="([^"]+)"/.exec(await page.response.text())![1]!;
    const response = await session.request(new URL(action, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice@example.com', password: 'wrong' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).toContain('Wrong email or password.');
    expect(html).toContain('value="alice@example.com"');
    expect(html).toContain('<form method="post"');
  });
});

describe('refresh tokens', () => {
  it('should rotate the refresh token and refuse the used one with invalid_grant', async () => {
    const tokens = await loggedInTokens(0);
    const before = test().idp.stats().refreshGrants;
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBeTruthy();
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(String(first.body.access_token))).toMatchObject({
      aud: todosApi.identifier,
      permissions: ['read:todos', 'write:todos'],
    });
    expect(test().idp.stats().refreshGrants).toBe(before + 1);

    const reused = await refresh(tokens.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    // Reuse detection (as Auth0's rotation does): the whole grant is revoked, so the rotated token dies too.
    expect((await refresh(String(first.body.refresh_token))).body.error).toBe('invalid_grant');
    expect(test().idp.stats().refreshGrants).toBe(before + 1);
  });

  it('should refuse every refresh token of a user after revokeUserGrants, and keep other users working', async () => {
    const alice = await loggedInTokens(0);
    const bob = await loggedInTokens(1);
    await test().idp.revokeUserGrants(test().idp.users[0]!.sub);
    const refused = await refresh(alice.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect((await refresh(bob.refresh_token)).status).toBe(200);
  });

  it('should refuse a refresh token revoked at /oauth/revoke', async () => {
    const tokens = await loggedInTokens(1);
    const revoked = await fetch(new URL('oauth/revoke', test().idp.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: tokens.refresh_token,
        client_id: test().idp.mcpApp.clientId,
        client_secret: test().idp.mcpApp.clientSecret,
      }),
    });
    expect(revoked.status).toBe(200);
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
  });
});

describe('client_credentials (the API "Test" tab)', () => {
  it("should issue a JWT for urn:todos-api with every permission when the test app asks with Auth0's audience", async () => {
    const { idp } = test();
    const { status, body } = await tokenRequest(idp.issuer, {
      grant_type: 'client_credentials',
      client_id: idp.testApp.clientId,
      client_secret: idp.testApp.clientSecret,
      audience: todosApi.identifier,
    });
    expect(status).toBe(200);
    const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', idp.issuer));
    const { payload } = await jwtVerify(String(body.access_token), jwks, { issuer: idp.issuer, audience: todosApi.identifier });
    expect(payload.permissions).toEqual([...allTodosPermissions]);
    expect(payload.gty).toBe('client-credentials');
    expect(body.refresh_token).toBeUndefined();
  });

  it('should refuse a wrong client secret with invalid_client', async () => {
    const { idp } = test();
    const { status, body } = await tokenRequest(idp.issuer, {
      grant_type: 'client_credentials',
      client_id: idp.testApp.clientId,
      client_secret: 'not-the-secret',
      audience: todosApi.identifier,
    });
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    expect(JSON.stringify(body)).not.toContain(idp.testApp.clientSecret);
  });

  it('should refuse client_credentials without an audience, like Auth0 without a default audience', async () => {
    const { idp } = test();
    const { status, body } = await tokenRequest(idp.issuer, {
      grant_type: 'client_credentials',
      client_id: idp.testApp.clientId,
      client_secret: idp.testApp.clientSecret,
    });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('should refuse client_credentials for the MCP app (not a grant type it has)', async () => {
    const { idp } = test();
    const { status, body } = await tokenRequest(idp.issuer, {
      grant_type: 'client_credentials',
      client_id: idp.mcpApp.clientId,
      client_secret: idp.mcpApp.clientSecret,
      audience: todosApi.identifier,
    });
    // oidc-provider answers invalid_request here (Auth0: unauthorized_client); either way a 400 naming the grant type.
    expect(status).toBe(400);
    expect(body.error_description).toMatch(/grant type is not allowed/);
  });
});

describe('userinfo and logout', () => {
  it('should serve /userinfo for an access token issued without an audience (Auth0 also accepts its API tokens there)', async () => {
    const { idp } = test();
    const bob = idp.users[1]!;
    const pkce = pkcePair();
    const redirect = await new BrowserlessSession().login(
      authorizeUrl(idp.issuer, {
        clientId: idp.mcpApp.clientId,
        redirectUri: REDIRECT_URI,
        scope: 'openid email profile',
        codeChallenge: pkce.challenge,
        codeChallengeMethod: 'S256',
      }),
      idp.issuer,
      bob.email,
      bob.password,
    );
    const { body } = await exchange(redirect.searchParams.get('code')!, pkce.verifier);
    const response = await fetch(new URL('userinfo', idp.issuer), { headers: { authorization: `Bearer ${String(body.access_token)}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: bob.sub, email: bob.email, name: bob.name });
  });

  it('should refuse /userinfo without a valid token with an RFC 6750 challenge', async () => {
    const response = await fetch(new URL('userinfo', test().idp.issuer), { headers: { authorization: 'Bearer not-a-token' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('should log out at /oidc/logout (RP-initiated logout) and show a clean confirmation page', async () => {
    const session = new BrowserlessSession();
    const start = await session.request(new URL(`oidc/logout?client_id=${test().idp.mcpApp.clientId}`, test().idp.issuer));
    expect(start.status).toBe(200);
    const html = await start.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
    expect(action).toBe(new URL('oidc/logout/confirm', test().idp.issuer).toString());
    expect(fields).toContainEqual(['logout', 'yes']);
    const confirmed = await session.request(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const done = await session.follow(new URL(confirmed.headers.get('location')!, test().idp.issuer), test().idp.issuer);
    expect(done.response.status).toBe(200);
    expect(await done.response.text()).toContain('You are logged out of the local IdP.');
  });
});

describe('revocation policy', () => {
  it("should not let one application revoke another application's refresh token", async () => {
    const tokens = await loggedInTokens(0);
    const response = await fetch(new URL('oauth/revoke', test().idp.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: tokens.refresh_token,
        client_id: test().idp.testApp.clientId,
        client_secret: test().idp.testApp.clientSecret,
      }),
    });
    // RFC 7009 lets the endpoint answer 200 without revoking; what matters is that the token still works.
    expect(response.status).toBeLessThan(500);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });
});
