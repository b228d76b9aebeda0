// OIDC client of the upstream IdP (Auth0 or the local IdP) with oauth4webapi: discovery, authorize URL, code exchange, refresh.
import * as oauth from 'oauth4webapi';
import type { UpstreamTokens, UserClaims } from '../props.js';
import type { IdpConfig } from './idp-config.js';
import { UpstreamAuthError } from './upstream-auth-error.js';

/** Discovery documents by issuer, for the life of the isolate: the metadata changes only with a redeploy of the IdP. */
const discoveryCache = new Map<string, Promise<oauth.AuthorizationServer>>();

/** How long an IdP call may take before it counts as unreachable, in milliseconds. */
const IDP_TIMEOUT_MS = 10_000;

function requestOptions(config: IdpConfig): { [oauth.allowInsecureRequests]?: boolean; signal: AbortSignal } {
  // allowInsecureRequests only for loopback http issuers: idpConfig() refuses http anywhere else.
  return { ...(config.insecureLoopback ? { [oauth.allowInsecureRequests]: true } : {}), signal: AbortSignal.timeout(IDP_TIMEOUT_MS) };
}

/** The IdP's validated discovery metadata (issuer must match exactly). Failures are not cached. */
export function discover(config: IdpConfig): Promise<oauth.AuthorizationServer> {
  const key = config.issuer.href;
  let metadata = discoveryCache.get(key);
  if (!metadata) {
    metadata = (async () => {
      const response = await oauth.discoveryRequest(config.issuer, { ...requestOptions(config), algorithm: 'oidc' });
      return oauth.processDiscoveryResponse(config.issuer, response);
    })();
    discoveryCache.set(key, metadata);
    metadata.catch(() => discoveryCache.delete(key));
  }
  return metadata.catch((error: unknown) => {
    throw asUpstreamError(error);
  });
}

/** Forgets cached discovery metadata (tests; an IdP that moved its endpoints). */
export function clearDiscoveryCache(): void {
  discoveryCache.clear();
}

/** What the callback needs back to finish the login: never sent to the IdP or the browser. */
export interface UpstreamLoginSecrets {
  codeVerifier: string;
  nonce: string;
}

/** Builds the IdP authorize URL (code flow, PKCE S256, nonce) and the secrets to keep for the callback. */
export async function startUpstreamLogin(
  config: IdpConfig,
  redirectUri: string,
  state: string,
  secrets: UpstreamLoginSecrets,
  /** What to ask the IdP for; default AUTH0_SCOPE. An MCP grant's login asks for exactly its approved permissions. */
  scope: string = config.scope,
): Promise<URL> {
  const as = await discover(config);
  if (!as.authorization_endpoint) throw new UpstreamAuthError('idp_unavailable', 'The IdP publishes no authorization_endpoint');
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  // An empty audience (the account page's own login) asks for no API access token.
  if (config.audience) url.searchParams.set('audience', config.audience);
  url.searchParams.set('scope', scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(secrets.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('nonce', secrets.nonce);
  url.searchParams.set('state', state);
  return url;
}

/** Fresh PKCE verifier and nonce for one login. */
export function newLoginSecrets(): UpstreamLoginSecrets {
  return { codeVerifier: oauth.generateRandomCodeVerifier(), nonce: oauth.generateRandomNonce() };
}

/** The result of a completed upstream login. */
export interface UpstreamLogin {
  claims: UserClaims;
  tokens: UpstreamTokens;
}

/**
 * Exchanges the IdP's code (client_secret_post + code_verifier) and validates the ID token: iss, aud,
 * exp, nonce (oauth4webapi) and its signature against the IdP's JWKS.
 * `callbackParams` must already have had `state` checked by finishUpstream(); we skip that check here.
 */
export async function finishUpstreamLogin(
  config: IdpConfig,
  redirectUri: string,
  callbackParams: URLSearchParams,
  secrets: UpstreamLoginSecrets,
): Promise<UpstreamLogin> {
  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  try {
    const params = oauth.validateAuthResponse(as, client, callbackParams, oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(config.clientSecret),
      params,
      redirectUri,
      secrets.codeVerifier,
      requestOptions(config),
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: secrets.nonce,
      requireIdToken: true,
    });
    await oauth.validateApplicationLevelSignature(as, response, requestOptions(config));
    const idClaims = oauth.getValidatedIdTokenClaims(result);
    if (!idClaims) throw new UpstreamAuthError('idp_unavailable', 'The IdP returned no ID token');
    return { claims: userClaims(idClaims), tokens: upstreamTokens(result, undefined) };
  } catch (error) {
    throw asUpstreamError(error);
  }
}

/** Refreshes at the IdP. Rotation: the answer's refresh token replaces the old one (kept if the IdP sends none). */
export async function refreshUpstreamTokens(config: IdpConfig, current: UpstreamTokens): Promise<UpstreamTokens> {
  if (!current.refreshToken) throw new UpstreamAuthError('reauth_required', 'No upstream refresh token (offline_access not granted)');
  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(config.clientSecret),
      current.refreshToken,
      requestOptions(config),
    );
    const result = await oauth.processRefreshTokenResponse(as, client, response);
    return upstreamTokens(result, current);
  } catch (error) {
    throw asUpstreamError(error);
  }
}

/**
 * Revokes a refresh token at the IdP (RFC 7009, the discovery document's `revocation_endpoint`; Auth0's and the
 * local IdP's `/oauth/revoke`), so the grant it belongs to can never be refreshed again.
 * @throws UpstreamAuthError `idp_unavailable` when the IdP offers no revocation or it failed
 */
export async function revokeUpstreamRefreshToken(config: IdpConfig, refreshToken: string): Promise<void> {
  const as = await discover(config);
  if (!as.revocation_endpoint) throw new UpstreamAuthError('idp_unavailable', 'The IdP publishes no revocation_endpoint');
  const client: oauth.Client = { client_id: config.clientId };
  try {
    const response = await oauth.revocationRequest(as, client, oauth.ClientSecretPost(config.clientSecret), refreshToken, {
      ...requestOptions(config),
      additionalParameters: { token_type_hint: 'refresh_token' },
    });
    await oauth.processRevocationResponse(response);
  } catch (error) {
    // Even `invalid_grant` here only means the token is already unusable: never "reauth", just not revoked by us.
    throw new UpstreamAuthError('idp_unavailable', undefined, { cause: error });
  }
}

/**
 * Where to send the browser to end its session at the IdP: the OIDC `end_session_endpoint` when discovery offers
 * one (the local IdP; Auth0 with RP-initiated logout on), else Auth0's `/v2/logout`. `returnTo` must be one of the
 * app's allowed logout URLs.
 */
export async function idpLogoutUrl(config: IdpConfig, returnTo: string): Promise<URL> {
  const as = await discover(config);
  if (as.end_session_endpoint) {
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('post_logout_redirect_uri', returnTo);
    return url;
  }
  const url = new URL('v2/logout', config.issuer);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('returnTo', returnTo);
  return url;
}

function upstreamTokens(result: oauth.TokenEndpointResponse, previous: UpstreamTokens | undefined): UpstreamTokens {
  const now = Math.floor(Date.now() / 1000);
  // An IdP that omits expires_in: assume a short life so we refresh early rather than call with a dead token.
  const expiresIn = typeof result.expires_in === 'number' && result.expires_in > 0 ? result.expires_in : 300;
  const tokens: UpstreamTokens = {
    accessToken: result.access_token,
    expiresAt: now + expiresIn,
    scope: result.scope ?? previous?.scope ?? '',
  };
  const refreshToken = result.refresh_token ?? previous?.refreshToken;
  if (refreshToken) tokens.refreshToken = refreshToken;
  const idToken = result.id_token ?? previous?.idToken;
  if (idToken) tokens.idToken = idToken;
  return tokens;
}

function userClaims(claims: oauth.IDToken): UserClaims {
  const picked: UserClaims = { sub: claims.sub };
  if (typeof claims.email === 'string') picked.email = claims.email;
  if (typeof claims.email_verified === 'boolean') picked.email_verified = claims.email_verified;
  if (typeof claims.name === 'string') picked.name = claims.name;
  if (typeof claims.nickname === 'string') picked.nickname = claims.nickname;
  if (typeof claims.picture === 'string') picked.picture = claims.picture;
  return picked;
}

/**
 * IdP failures → our two codes. Only an OAuth error body saying `invalid_grant` means the grant is
 * dead; anything else (network, timeout, 5xx, garbage, other 4xx such as a misconfigured client) is
 * reported as unavailable so a transient or operator problem never revokes a user's grant.
 */
export function asUpstreamError(error: unknown): UpstreamAuthError {
  if (error instanceof UpstreamAuthError) return error;
  if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
    return new UpstreamAuthError('reauth_required', undefined, { cause: error });
  }
  return new UpstreamAuthError('idp_unavailable', undefined, { cause: error });
}

/** A loggable, secret-free description of an IdP failure (OAuth error code / status / error class). */
export function describeIdpFailure(error: UpstreamAuthError): string {
  const cause = error.cause;
  if (cause instanceof oauth.ResponseBodyError) return `${error.code}: IdP answered ${cause.status} ${cause.error}`;
  if (cause instanceof Error) return `${error.code}: ${cause.name}${'code' in cause ? ` ${String(cause.code)}` : ''}`;
  return error.code;
}

/** True when the IdP could not be reached at all (network, DNS, timeout) rather than answering with an error. */
export function isIdpUnreachable(error: UpstreamAuthError): boolean {
  const cause = error.cause;
  if (cause instanceof oauth.ResponseBodyError || cause instanceof oauth.OperationProcessingError) return false;
  if (cause instanceof oauth.WWWAuthenticateChallengeError || cause instanceof oauth.AuthorizationResponseError) return false;
  return cause instanceof Error;
}
