// The verified access token as route handlers see it: who is calling and what they may do.
import type { JWTPayload } from 'jose';

export interface AccessToken {
  /** The caller's user id (`sub`): the owner of todos and billing profiles. */
  readonly subject: string;
  /** Granted scopes: the `scope` claim (space-separated) united with Auth0's `permissions` array. */
  readonly scopes: ReadonlySet<string>;
  /** All verified claims, as issued. */
  readonly claims: JWTPayload;
}

/** Scopes of a verified payload: Auth0 puts RBAC permissions in `permissions`, OAuth scopes in `scope`. */
export function grantedScopes(claims: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  if (typeof claims.scope === 'string') {
    for (const scope of claims.scope.split(' ')) if (scope !== '') scopes.add(scope);
  }
  if (Array.isArray(claims.permissions)) {
    for (const permission of claims.permissions) if (typeof permission === 'string') scopes.add(permission);
  }
  return scopes;
}
