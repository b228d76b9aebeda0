// Restart safety: keys, client secrets and refresh tokens persist in the state folder (files mode 0600).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { mcpCallbackUrl, mcpServer, todosApi } from '../../../system/system.js';
import { pkcePair } from '../../../test/support/browserless-mcp-login.js';
import { authorizeUrl, BrowserlessSession } from './support/browserless-idp-session.js';
import { startTestIdp, TEST_MCP_URL, type TestIdp } from './support/test-idp.js';
import { tokenRequest } from './support/token-request.js';

const PORT = 18794;
const running: TestIdp[] = [];

afterEach(async () => {
  for (const t of running.splice(0)) await t.dispose();
});

async function userRefreshToken(test: TestIdp): Promise<string> {
  const { idp } = test;
  const pkce = pkcePair();
  const alice = idp.users[0]!;
  const redirect = await new BrowserlessSession().login(
    authorizeUrl(idp.issuer, {
      clientId: idp.mcpApp.clientId,
      redirectUri: mcpCallbackUrl(TEST_MCP_URL),
      scope: mcpServer.scope,
      audience: todosApi.identifier,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
    }),
    idp.issuer,
    alice.email,
    alice.password,
  );
  const { body } = await tokenRequest(idp.issuer, {
    grant_type: 'authorization_code',
    code: redirect.searchParams.get('code')!,
    code_verifier: pkce.verifier,
    redirect_uri: mcpCallbackUrl(TEST_MCP_URL),
    client_id: idp.mcpApp.clientId,
    client_secret: idp.mcpApp.clientSecret,
  });
  return String(body.refresh_token);
}

describe('state across restarts', () => {
  it('should keep the signing key, client credentials and refresh tokens, and verify run 1 tokens with run 2 JWKS', async () => {
    const first = await startTestIdp(PORT);
    const { idp } = first;
    const m2m = await tokenRequest(idp.issuer, {
      grant_type: 'client_credentials',
      client_id: idp.testApp.clientId,
      client_secret: idp.testApp.clientSecret,
      audience: todosApi.identifier,
    });
    const refreshToken = await userRefreshToken(first);
    await first.stop();

    const second = await startTestIdp(PORT, { stateDir: first.stateDir });
    running.push(second);
    expect(second.idp.mcpApp).toEqual(idp.mcpApp);
    expect(second.idp.testApp).toEqual(idp.testApp);

    const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', second.idp.issuer));
    const { payload } = await jwtVerify(String(m2m.body.access_token), jwks, { issuer: second.idp.issuer, audience: todosApi.identifier });
    expect(payload.aud).toBe(todosApi.identifier);

    const refreshed = await tokenRequest(second.idp.issuer, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: idp.mcpApp.clientId,
      client_secret: idp.mcpApp.clientSecret,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toBeTruthy();
  });

  it('should write its state files readable by the owner only', async () => {
    const test = await startTestIdp(PORT);
    running.push(test);
    await userRefreshToken(test);
    const files = await readdir(test.stateDir);
    expect(files).toEqual(expect.arrayContaining(['local-idp-state.json', 'oidc-store.json']));
    for (const file of files) {
      expect((await stat(path.join(test.stateDir, file))).mode & 0o777, file).toBe(0o600);
    }
  });

  it('should make different keys and secrets for a fresh state folder', async () => {
    const a = await startTestIdp(PORT);
    running.push(a);
    const secrets = { ...a.idp.mcpApp };
    await a.stop();
    const b = await startTestIdp(PORT);
    running.push(b);
    expect(b.idp.mcpApp.clientSecret).not.toBe(secrets.clientSecret);
    expect(b.idp.mcpApp.clientId).not.toBe(secrets.clientId);
  });
});

describe('start options', () => {
  it('should issue access tokens with the configured lifetime', async () => {
    const test = await startTestIdp(PORT, { accessTokenTtlSeconds: 2 });
    running.push(test);
    const { body } = await tokenRequest(test.idp.issuer, {
      grant_type: 'client_credentials',
      client_id: test.idp.testApp.clientId,
      client_secret: test.idp.testApp.clientSecret,
      audience: todosApi.identifier,
    });
    expect(body.expires_in).toBe(2);
    const { payload } = await jwtVerify(String(body.access_token), createRemoteJWKSet(new URL('.well-known/jwks.json', test.idp.issuer)));
    expect(payload.exp! - payload.iat!).toBe(2);
  });

  it('should refuse a non-positive access token lifetime when starting', async () => {
    await expect(startTestIdp(PORT, { accessTokenTtlSeconds: 0 })).rejects.toThrow(/accessTokenTtlSeconds must be a positive integer/);
  });

  it('should say which port is taken when it cannot listen', async () => {
    const test = await startTestIdp(PORT);
    running.push(test);
    await expect(startTestIdp(PORT)).rejects.toThrow(`port ${PORT} is already in use`);
  });
});
