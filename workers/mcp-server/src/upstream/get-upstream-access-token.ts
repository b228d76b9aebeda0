// The MCP tools' way to an upstream access token: asks the grant's UpstreamTokenStore, which refreshes when needed.
import type { McpProps, UpstreamTokens } from '../props.js';
import { UpstreamAuthError } from './upstream-auth-error.js';
import type { UpstreamTokenStore, UpstreamTokenResult } from './upstream-token-store.js';

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
  return unwrap(await storeFor(env, props.grantKey).currentTokens(props.upstream)).accessToken;
}

/**
 * Refreshes the grant's upstream tokens now (MCP client refresh) and returns the newest set.
 * @throws UpstreamAuthError `reauth_required` | `idp_unavailable`
 */
export async function refreshUpstream(env: Env, props: McpProps): Promise<UpstreamTokens> {
  return unwrap(await storeFor(env, props.grantKey).refresh(props.upstream));
}
