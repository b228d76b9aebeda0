// The local IdP applies the stack's user-permission ceiling like Auth0 with the program's post-login Action: a user
// gets the requested permissions the stack lets users grant, never read:billing unless it opts in; M2M keeps all.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { allTodosPermissions, defaultUserPermissions, mcpCallbackUrl, todosApi, upstreamScopeFor } from '../../../system/system.js';
import { pkcePair } from '../../../test/support/browserless-mcp-login.js';
import { authorizeUrl, BrowserlessSession } from './support/browserless-idp-session.js';
import { TEST_MCP_URL, type TestIdp, useTestIdp } from './support/test-idp.js';
import { tokenRequest } from './support/token-request.js';

const REDIRECT_URI = mcpCallbackUrl(TEST_MCP_URL);
// Asks for everything, as a tampered upstream authorize URL would.
const EVERYTHING = upstreamScopeFor(allTodosPermissions);

async function userTokens(test: () => TestIdp, scope: string) {
  const { idp } = test();
  const user = idp.users[0]!;
  const pkce = pkcePair();
  const redirect = await new BrowserlessSession().login(
    authorizeUrl(idp.issuer, {
      clientId: idp.mcpApp.clientId,
      redirectUri: REDIRECT_URI,
      scope,
      audience: todosApi.identifier,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      state: 'state-permissions',
      nonce: 'nonce-permissions',
    }),
    idp.issuer,
    user.email,
    user.password,
  );
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect.toString()}`);
  const { status, body } = await tokenRequest(idp.issuer, {
    grant_type: 'authorization_code',
    code,
    code_verifier: pkce.verifier,
    redirect_uri: REDIRECT_URI,
    client_id: idp.mcpApp.clientId,
    client_secret: idp.mcpApp.clientSecret,
  });
  expect(status).toBe(200);
  return body as { access_token: string; refresh_token: string };
}

const apiScopes = (accessToken: string) =>
  String(decodeJwt(accessToken).scope)
    .split(' ')
    .filter((s) => (allTodosPermissions as readonly string[]).includes(s))
    .sort();

describe('user-permission ceiling (default: read:todos write:todos)', () => {
  const test = useTestIdp(18771);

  it('drops read:billing from a user token even when it is requested, without an error or a consent prompt', async () => {
    const tokens = await userTokens(test, EVERYTHING);
    expect(apiScopes(tokens.access_token)).toEqual([...defaultUserPermissions].sort());
    expect(decodeJwt(tokens.access_token).permissions).toEqual([...defaultUserPermissions]);
  });

  it('keeps the cap across a refresh', async () => {
    const tokens = await userTokens(test, EVERYTHING);
    const { idp } = test();
    const { status, body } = await tokenRequest(idp.issuer, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: idp.mcpApp.clientId,
      client_secret: idp.mcpApp.clientSecret,
    });
    expect(status).toBe(200);
    expect(apiScopes(String(body.access_token))).toEqual([...defaultUserPermissions].sort());
  });

  it('grants no more than was asked: consent decides within the ceiling', async () => {
    const tokens = await userTokens(test, 'openid offline_access read:todos');
    expect(apiScopes(tokens.access_token)).toEqual(['read:todos']);
  });

  it('leaves the machine-to-machine test app every permission of its client grant', async () => {
    const { idp } = test();
    const { status, body } = await tokenRequest(idp.issuer, {
      grant_type: 'client_credentials',
      audience: todosApi.identifier,
      client_id: idp.testApp.clientId,
      client_secret: idp.testApp.clientSecret,
    });
    expect(status).toBe(200);
    expect(apiScopes(String(body.access_token))).toEqual([...allTodosPermissions].sort());
  });
});

describe('user-permission ceiling with read:billing opted in', () => {
  const test = useTestIdp(18772, { userPermissions: ['read:todos', 'write:todos', 'read:billing'] });

  it('grants read:billing to a user who asks for it', async () => {
    const tokens = await userTokens(test, EVERYTHING);
    expect(apiScopes(tokens.access_token)).toEqual(['read:billing', 'read:todos', 'write:todos']);
  });
});
