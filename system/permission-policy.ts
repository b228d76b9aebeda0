// Which API permissions a user's token may carry: the one rule both IdPs apply (Auth0 through a post-login Action the
// Pulumi program deploys, the local IdP in its grant), so local mode refuses what a deployed stack refuses.
import { allTodosPermissions } from './system.js';

/**
 * The scopes to grant for `requested`: every requested scope that is not a Todos API permission (openid, email,
 * offline_access, …) as requested, and the requested Todos API permissions only when `userPermissions` lists them.
 * Consent decides within that ceiling: nothing is ever added that was not requested.
 */
export function capToUserPermissions(requested: readonly string[], userPermissions: readonly string[]): string[] {
  const apiPermissions: readonly string[] = allTodosPermissions;
  return requested.filter((scope) => !apiPermissions.includes(scope) || userPermissions.includes(scope));
}
