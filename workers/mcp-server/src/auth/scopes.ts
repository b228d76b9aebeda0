// The scope policy of this authorization server: what an MCP client may ask for, what a grant holds by default,
// and what the IdP login asks for. Derived from the system description (never retyped).
import { allTodosPermissions, baselinePermissions, type TodosPermission, todosApi } from '../../../../system/system.js';

/** The one MCP scope that is not a Todos API permission: the client wants refresh tokens. */
const OFFLINE_ACCESS = 'offline_access';
const offlineAccessDescription = 'Stay connected without signing in again (refresh tokens)';

/**
 * OIDC identity scopes some clients add out of habit. Signing in always shares the user's identity with
 * this server (the consent page says so), and MCP tokens never carry it, so these are dropped, not refused.
 */
const IGNORED_IDENTITY_SCOPES = new Set(['openid', 'profile', 'email']);

/** Everything an MCP client may ask for (authorization-server metadata): the Todos API permissions plus offline_access. */
export const scopesSupported: string[] = [...allTodosPermissions, OFFLINE_ACCESS];

/** What any access needs: the baseline permission(s). Named in the 401 challenge, so clients ask for it first. */
export const requiredScopes: string[] = [...baselinePermissions];

/**
 * Every permission a client may ask for later (step-up), advertised in the protected-resource metadata.
 * Without `offline_access`: refresh tokens are not a resource requirement (MCP: SHOULD NOT list it).
 */
export const resourceScopesSupported: string[] = [...allTodosPermissions];

export function isTodosPermission(scope: string): scope is TodosPermission {
  return (allTodosPermissions as readonly string[]).includes(scope);
}

/** What an authorization request asks for, after the policy: or the scopes it must be refused for. */
export type ScopeRequest = AcceptedScopes | RefusedScopes;

export interface AcceptedScopes {
  ok: true;
  /** Baseline first, then the other requested permissions users may grant, then offline_access if asked. */
  scopes: string[];
  /** Requested Todos API permissions this deployment does not let users grant (the stack's `userPermissions`). */
  unavailable: TodosPermission[];
}

export interface RefusedScopes {
  ok: false;
  /** Scopes this server does not know: the request is refused with `invalid_scope`. */
  unknown: string[];
}

/**
 * The Todos API permissions users may grant here: those in AUTH0_SCOPE, which the Pulumi program derives from
 * the stack's `userPermissions` (the IdPs cap user tokens at the same list). The baseline is always grantable.
 */
export function grantablePermissions(configuredScope: string): TodosPermission[] {
  const configured = new Set(configuredScope.split(' '));
  return allTodosPermissions.filter((permission) => configured.has(permission) || isBaseline(permission));
}

/**
 * Apply the policy to the scopes an MCP client requested: the baseline is always part of the grant (so a
 * client that names no scope gets `read:todos`), identity scopes are dropped, a permission users may not grant
 * here is left out (and shown so), and anything that is not a Todos API permission or `offline_access` refuses
 * the whole request (RFC 6749 §4.1.2.1 `invalid_scope`).
 */
export function resolveRequestedScopes(requested: readonly string[], grantable: readonly TodosPermission[]): ScopeRequest {
  const unknown = requested.filter((scope) => scope !== OFFLINE_ACCESS && !isTodosPermission(scope) && !IGNORED_IDENTITY_SCOPES.has(scope));
  if (unknown.length > 0) return { ok: false, unknown: [...new Set(unknown)] };
  const permissions = new Set<string>(baselinePermissions);
  for (const scope of requested) if (isTodosPermission(scope)) permissions.add(scope);
  const scopes = allTodosPermissions.filter((permission) => permissions.has(permission) && grantable.includes(permission));
  const unavailable = allTodosPermissions.filter((permission) => permissions.has(permission) && !grantable.includes(permission));
  return { ok: true, scopes: requested.includes(OFFLINE_ACCESS) ? [...scopes, OFFLINE_ACCESS] : scopes, unavailable };
}

/**
 * What the user approved on the consent form, limited to what the client asked for: the baseline and
 * `offline_access` (if asked) always, the other permissions only when ticked. Ticked values the client did
 * not request are ignored, so a tampered form cannot widen the grant.
 */
export function approvedScopes(requested: readonly string[], ticked: readonly string[]): string[] {
  const tickedSet = new Set(ticked);
  return requested.filter((scope) => scope === OFFLINE_ACCESS || isBaseline(scope) || tickedSet.has(scope));
}

/**
 * The scope for the IdP login of a grant with `grantScopes`: the identity scopes of AUTH0_SCOPE (`openid email
 * profile offline_access`, so the server can refresh upstream) plus exactly the approved API permissions, so
 * the upstream token can never do more than the MCP grant.
 */
export function loginScopeFor(configuredScope: string, grantScopes: readonly string[]): string {
  const identity = configuredScope.split(' ').filter((scope) => scope && !isTodosPermission(scope));
  return [...new Set([...identity, ...grantScopes.filter(isTodosPermission)])].join(' ');
}

/**
 * The grant's scopes once the IdP has answered: an approved permission the IdP did not grant (its policy, e.g.
 * Auth0 RBAC) is left out, so the MCP token says what will actually work. An IdP that reports no scope
 * granted what was asked (RFC 6749 §5.1).
 */
export function grantedScopes(approved: readonly string[], upstreamGranted: string | undefined): string[] {
  if (!upstreamGranted) return [...approved];
  const granted = new Set(upstreamGranted.split(' '));
  return approved.filter((scope) => !isTodosPermission(scope) || granted.has(scope));
}

export function isBaseline(scope: string): boolean {
  return (baselinePermissions as readonly string[]).includes(scope);
}

/** How the consent page shows a scope: its description, and whether it starts ticked or is fixed. */
export interface ScopeChoice {
  scope: string;
  description: string;
  /** Always granted (the baseline, offline_access): shown, not a checkbox the user can clear. */
  fixed: boolean;
  /** Ticked when the page opens: requested permissions are, except opt-in ones (read:billing). */
  preselected: boolean;
}

export function scopeChoice(scope: string): ScopeChoice {
  if (scope === OFFLINE_ACCESS) return { scope, description: offlineAccessDescription, fixed: true, preselected: true };
  const permission = todosApi.permissions.find((candidate) => candidate.value === scope);
  const description = permission?.description ?? scope;
  const fixed = isBaseline(scope);
  const optIn = permission !== undefined && 'optIn' in permission && permission.optIn === true;
  return { scope, description, fixed, preselected: fixed || !optIn };
}
