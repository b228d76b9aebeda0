// Upstream (IdP) token layer: what the MCP tools and the OAuth side use (re-exports only).
export { getUpstreamAccessToken, refreshUpstream } from './get-upstream-access-token.js';
export { UpstreamAuthError, type UpstreamAuthErrorCode } from './upstream-auth-error.js';
export { UpstreamTokenStore, REFRESH_MARGIN_SECONDS, type UpstreamTokenResult } from './upstream-token-store.js';
