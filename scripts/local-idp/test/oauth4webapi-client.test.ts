// The code flow with oauth4webapi as the client (what the MCP server Worker uses): discovery, PKCE, nonce, refresh.
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { mcpCallbackUrl, mcpServer, todosApi } from '../../../system/system.js';
import { BrowserlessSession } from './support/browserless-idp-session.js';
import { TEST_MCP_URL, useTestIdp } from './support/test-idp.js';

const PORT = 18793;
const REDIRECT_URI = mcpCallbackUrl(TEST_MCP_URL);

const test = useTestIdp(PORT);

describe('oauth4webapi as the client', () => {
  it('should discover the IdP, complete the code flow with PKCE and nonce, and refresh with rotation', async () => {
    const { idp } = test();
    const issuer = new URL(idp.issuer);
    // http:// issuers are allowed for loopback only (local mode), as the Workers do.
    const options = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' }));
    const client: oauth.Client = { client_id: idp.mcpApp.clientId };
    const auth = oauth.ClientSecretPost(idp.mcpApp.clientSecret);

    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const state = oauth.generateRandomState();
    const authorize = new URL(as.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: mcpServer.scope,
      audience: todosApi.identifier,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString();

    const alice = idp.users[0]!;
    const redirect = await new BrowserlessSession().login(authorize, idp.issuer, alice.email, alice.password);
    const params = oauth.validateAuthResponse(as, client, redirect, state);
    const codeResponse = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier, options);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, { expectedNonce: nonce, requireIdToken: true });

    const idClaims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(idClaims).toMatchObject({ sub: alice.sub, email: alice.email, name: alice.name, nonce });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();

    const refreshResponse = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, options);
    const refreshed = await oauth.processRefreshTokenResponse(as, client, refreshResponse);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const reuse = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, options);
    await expect(oauth.processRefreshTokenResponse(as, client, reuse)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
