// Revoking a connected app: the MCP grant ends at once, its upstream refresh token is revoked at the IdP, its store cleared.
import type { OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { endUpstreamGrant } from '../upstream/get-upstream-access-token.js';
import type { UpstreamRevocation } from '../upstream/upstream-token-store.js';
import { grantKeyOf, userGrants } from './connected-apps.js';

export type RevokeResult = { kind: 'not_found' } | { kind: 'revoked'; upstream: UpstreamRevocation };

/**
 * Only a grant of `userId` can be found here (the library keys grants by user), so another user's grant id is
 * `not_found`, exactly like one that never existed. `env.OAUTH_KV` is the request's wrapped binding: the library's
 * deletes go through it, so this isolate's token-record and verified-token caches forget the grant in this request.
 */
export async function revokeConnection(
  oauth: OAuthHelpers,
  env: Env,
  user: { userId: string; subject: string },
  grantId: string,
): Promise<RevokeResult> {
  const { userId, subject } = user;
  const grant = (await userGrants(oauth, userId)).find((candidate) => candidate.id === grantId);
  if (!grant) return { kind: 'not_found' };
  await oauth.revokeGrant(grant.id, userId);

  const grantKey = grantKeyOf(grant);
  let upstream: UpstreamRevocation = 'no_refresh_token';
  if (grantKey) {
    try {
      upstream = await endUpstreamGrant(env, grantKey);
    } catch (error) {
      console.error('account: ending the upstream grant failed', error instanceof Error ? error.name : 'unknown');
      upstream = 'idp_unavailable';
    }
  }
  recordAuditEvent(env, { kind: 'grant_revoked_by_user', subject, clientId: grant.clientId, grantKey });
  return { kind: 'revoked', upstream };
}
