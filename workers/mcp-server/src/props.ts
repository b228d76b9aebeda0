// The MCP grant's props: what workers-oauth-provider stores (encrypted) with each grant and hands
// to the MCP handlers as ctx.props. Upstream tokens live here and never reach the MCP client.

/** The signed-in user's identity claims, from the IdP's validated ID token. */
export interface UserClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  picture?: string;
}

/** The IdP tokens obtained for this grant (Auth0's or the local IdP's). */
export interface UpstreamTokens {
  /** Access token for the Todos API (`aud` = AUTH0_AUDIENCE). */
  accessToken: string;
  /** Present when `offline_access` was granted; rotates on every refresh. */
  refreshToken?: string;
  idToken?: string;
  /** Absolute expiry of `accessToken`, seconds since the Unix epoch. */
  expiresAt: number;
  /** Scopes the IdP granted (space-separated), e.g. "openid ... read:todos". */
  scope: string;
}

export interface McpProps {
  claims: UserClaims;
  upstream: UpstreamTokens;
  /**
   * Random, stable for the life of the grant: names the UpstreamTokenStore Durable Object that
   * holds the newest upstream tokens and serialises refreshes for this grant.
   */
  grantKey: string;
}
