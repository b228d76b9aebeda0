// On the MCP client's refresh: refresh the upstream tokens through the grant's store; map IdP failures to OAuth errors.
import {
  GrantType,
  OAuthError,
  type TokenExchangeCallbackOptions,
  type TokenExchangeCallbackResult,
} from '@cloudflare/workers-oauth-provider';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { McpProps } from '../props.js';
import { refreshUpstream } from '../upstream/get-upstream-access-token.js';
import { UpstreamAuthError } from '../upstream/upstream-auth-error.js';

/**
 * Only refreshes matter: the code exchange already has fresh tokens from /callback. Refreshing
 * upstream on every MCP refresh is what notices a grant revoked at the IdP; `invalid_grant` then
 * revokes the MCP grant too (the library does that when this throws it), so the client signs in
 * again instead of retrying forever. A down IdP is `temporarily_unavailable` and revokes nothing.
 */
export async function tokenExchangeCallback(options: TokenExchangeCallbackOptions<Env>): Promise<TokenExchangeCallbackResult | undefined> {
  if (options.grantType !== GrantType.REFRESH_TOKEN) return;
  const props = options.props as McpProps;
  try {
    const upstream = await refreshUpstream(options.env, props);
    recordAuditEvent(options.env, {
      kind: 'grant_refreshed',
      subject: props.claims.sub,
      clientId: options.clientId,
      grantKey: props.grantKey,
    });
    return { newProps: { ...props, upstream } satisfies McpProps };
  } catch (error) {
    if (error instanceof UpstreamAuthError && error.code === 'reauth_required') {
      // Throwing invalid_grant makes the library revoke the grant.
      recordAuditEvent(options.env, {
        kind: 'grant_revoked_invalid_grant',
        subject: props.claims.sub,
        clientId: options.clientId,
        grantKey: props.grantKey,
      });
      throw new OAuthError('invalid_grant', {
        description: 'The sign-in at the identity provider was revoked or has expired; authorize again.',
        internal: { category: 'upstream', reason: 'upstream_invalid_grant' },
      });
    }
    throw new OAuthError('temporarily_unavailable', {
      description: 'The identity provider is unavailable; try again shortly.',
      statusCode: 503,
      headers: { 'Retry-After': '30' },
      internal: { category: 'upstream', reason: error instanceof UpstreamAuthError ? 'upstream_unavailable' : 'upstream_store_failed' },
    });
  }
}
