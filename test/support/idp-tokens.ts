// Gets tokens from an Auth0-compatible IdP (the local one in tests) the way an app would: code flow or client_credentials.
import { randomBytes } from 'node:crypto';
import { followLoginFlow, pkcePair } from './browserless-mcp-login.js';

/** The token endpoint's JSON answer (OAuth 2.0 / OIDC field names). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

/** Read the IdP's OIDC discovery document (`<issuer>.well-known/openid-configuration`). */
export async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(new URL('.well-known/openid-configuration', issuer));
  if (!response.ok) throw new Error(`Discovery at ${issuer} failed: HTTP ${response.status}`);
  return (await response.json()) as Discovery;
}

export interface CodeFlowOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Must be registered for the client; it is never requested (the code is read from the redirect). */
  redirectUri: string;
  username: string;
  password: string;
  scope: string;
  /** Auth0's `audience` parameter: the API identifier the access token is for. */
  audience: string;
}

/** Log a user in through the IdP's own login page (authorization code + PKCE) and exchange the code for tokens. */
export async function userTokensViaCodeFlow(options: CodeFlowOptions): Promise<TokenResponse> {
  const { authorization_endpoint, token_endpoint } = await discover(options.issuer);
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope,
    audience: options.audience,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const redirected = await followLoginFlow({
    startUrl: authorize,
    username: options.username,
    password: options.password,
    stopAt: (url) => url.href.startsWith(options.redirectUri),
  });
  const error = redirected.searchParams.get('error');
  if (error) throw new Error(`IdP refused the login: ${error} ${redirected.searchParams.get('error_description') ?? ''}`);
  if (redirected.searchParams.get('state') !== state) throw new Error('IdP returned a different state');
  const code = redirected.searchParams.get('code');
  if (!code) throw new Error(`No code in the redirect ${redirected.href}`);

  return tokenRequest(token_endpoint, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: options.redirectUri,
    code_verifier: verifier,
    client_id: options.clientId,
    client_secret: options.clientSecret,
  });
}

/** The tutorial's machine-to-machine token: client_credentials for `audience`. */
export async function clientCredentialsToken(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  audience: string;
}): Promise<TokenResponse> {
  const { token_endpoint } = await discover(options.issuer);
  return tokenRequest(token_endpoint, {
    grant_type: 'client_credentials',
    client_id: options.clientId,
    client_secret: options.clientSecret,
    audience: options.audience,
  });
}

async function tokenRequest(endpoint: string, params: Record<string, string>): Promise<TokenResponse> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `Token request (${params.grant_type}) failed: HTTP ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`,
    );
  }
  return body as TokenResponse;
}
