// The MCP scopes this authorization server grants, derived from the system description (never retyped).
import { allTodosPermissions, mcpServer, todosApi } from '../../../../system/system.js';

/** Description of the one MCP scope that is not a Todos API permission. */
const offlineAccess = { value: 'offline_access', description: 'Stay connected without signing in again (refresh tokens)' } as const;

/** Everything an MCP client may ask for: the Todos API permissions plus offline_access. */
export const scopesSupported: string[] = [...allTodosPermissions, offlineAccess.value];

/** What any access needs (advertised in protected-resource metadata): the Todos permissions this server asks the IdP for. */
export const requiredScopes: string[] = allTodosPermissions.filter((permission) => mcpServer.scope.split(' ').includes(permission));

/** Human description of a scope for the consent page, or undefined for an unknown one. */
export function describeScope(scope: string): string | undefined {
  if (scope === offlineAccess.value) return offlineAccess.description;
  return todosApi.permissions.find((permission) => permission.value === scope)?.description;
}
