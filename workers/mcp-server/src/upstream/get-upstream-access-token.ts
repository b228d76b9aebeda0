// The MCP tools' way to an upstream access token: asks the grant's UpstreamTokenStore, which refreshes when needed.
import type { McpProps, UpstreamTokens } from '../props.js';
import { UpstreamAuthError } from './upstream-auth-error.js';
import {
  REFRESH_MARGIN_SECONDS,
  type UpstreamRevocation,
  type UpstreamTokenResult,
  type UpstreamTokenStore,
} from './upstream-token-store.js';

function storeFor(env: Env, grantKey: string): DurableObjectStub<UpstreamTokenStore> {
  return env.UPSTREAM_TOKENS.get(env.UPSTREAM_TOKENS.idFromName(grantKey));
}

function unwrap(result: UpstreamTokenResult): UpstreamTokens {
  if (!result.ok) throw new UpstreamAuthError(result.code);
  return result.tokens;
}

/**
 * A currently valid upstream access token for the grant (refreshed if it expires within 60 s).
 * Props may carry stale tokens (the store rotates them); the store's copy always wins.
 * @throws UpstreamAuthError `reauth_required` | `idp_unavailable`
 */
export async function getUpstreamAccessToken(env: Env, props: McpProps): Promise<string> {
  // Hot path: an access token in the props that is not near expiry is still valid even if the store has
  // rotated the refresh token since (rotation never invalidates issued access tokens), so the Durable
  // Object round trip is only paid near expiry, when a refresh may be due.
  const secondsLeft = props.upstream.expiresAt - Math.floor(Date.now() / 1000);
  if (secondsLeft > REFRESH_MARGIN_SECONDS) return props.upstream.accessToken;
  return unwrap(await storeFor(env, props.grantKey).currentTokens(props.upstream)).accessToken;
}

/**
 * Refreshes the grant's upstream tokens now (MCP client refresh) and returns the newest set.
 * @throws UpstreamAuthError `reauth_required` | `idp_unavailable`
 */
export async function refreshUpstream(env: Env, props: McpProps): Promise<UpstreamTokens> {
  return unwrap(await storeFor(env, props.grantKey).refresh(props.upstream));
}

/** Keeps a new grant's upstream tokens in its store from sign-in on (see UpstreamTokenStore.seed). */
export async function seedUpstreamTokens(env: Env, grantKey: string, tokens: UpstreamTokens): Promise<void> {
  await storeFor(env, grantKey).seed(tokens);
}

/** Ends the grant's upstream side: refresh token revoked at the IdP, store cleared (see UpstreamTokenStore.endGrant). */
export function endUpstreamGrant(env: Env, grantKey: string): Promise<UpstreamRevocation> {
  return storeFor(env, grantKey).endGrant();
}
