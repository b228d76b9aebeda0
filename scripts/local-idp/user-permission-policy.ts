// The local IdP's side of the user-permission ceiling (system/permission-policy.ts): which Todos API permissions a
// token may carry. On Auth0 the Pulumi program's post-login Action applies the same rule.
import { capToUserPermissions } from '../../system/permission-policy.js';
import { allTodosPermissions, type TodosPermission } from '../../system/system.js';

/**
 * The Todos API scopes oidc-provider may grant in this request (it silently drops requested scopes outside them, as
 * Auth0 drops what the Action removes): users (code, refresh) get at most `userPermissions`; the machine-to-machine
 * app keeps every permission its client grant lists (client_credentials is not a user login; no Action runs).
 */
export function grantableApiScopes(grantType: string | undefined, userPermissions: readonly TodosPermission[]): string[] {
  if (grantType === 'client_credentials') return [...allTodosPermissions];
  return capToUserPermissions(allTodosPermissions, userPermissions);
}
