// Ends the MCP grant behind a request's bearer token, through the library's own revokeGrant.
import { getOAuthApi } from '@cloudflare/workers-oauth-provider';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { McpProps } from '../props.js';
import { bearerTokenOf, grantOfAccessToken } from './access-token-format.js';
import { oauthProviderOptions } from './create-oauth-provider.js';

/**
 * Revokes the grant the request's access token belongs to (its tokens and its record), as the
 * library does itself when a refresh fails with `invalid_grant`. Used once the IdP has refused the
 * grant's upstream refresh token: the grant can no longer reach the Todos API, so the client's next
 * request should be refused (401) and lead it to sign in again, instead of failing tool by tool
 * until its access token expires. `env.OAUTH_KV` should be the request's wrapped binding, so this
 * isolate's caches forget the grant at once.
 */
export async function endGrantOfBearer(request: Request, origin: string, env: Env): Promise<void> {
  const token = bearerTokenOf(request);
  const grant = token === undefined ? undefined : grantOfAccessToken(token);
  if (!token || !grant) return;
  const oauth = getOAuthApi(oauthProviderOptions(origin), env);
  // Read before revoking, for the audit log: who and which client (a rare path, so the extra read is fine).
  const summary = await oauth.unwrapToken<McpProps>(token);
  await oauth.revokeGrant(grant.grantId, grant.userId);
  if (summary?.grant.props) {
    const props = summary.grant.props;
    recordAuditEvent(env, {
      kind: 'grant_revoked_invalid_grant',
      subject: props.claims.sub,
      clientId: summary.grant.clientId,
      grantKey: props.grantKey,
    });
  }
}
