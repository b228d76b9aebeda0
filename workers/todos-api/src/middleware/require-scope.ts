// Hono middleware factory: lets a request through only if its verified access token grants a scope.
import type { MiddlewareHandler } from 'hono';
import type { TodosPermission } from '../../../../system/system.js';
import { allTodosPermissions } from '../../../../system/system.js';
import type { AppEnv } from '../app-env.js';
import { bearerChallenge, DEFAULT_REALM } from '../auth/bearer-challenge.js';
import { HttpError } from '../http/http-error.js';

export interface RequireScopeOptions {
  /** `realm` of the RFC 6750 challenge. Default `todos-api`. */
  realm?: string;
}

export function requireScope(scope: TodosPermission, options: RequireScopeOptions = {}): MiddlewareHandler<AppEnv> {
  // Only the API's declared permissions can be required: a typo here would lock every caller out.
  if (!allTodosPermissions.includes(scope)) throw new TypeError(`Unknown scope "${scope}": not a Todos API permission`);
  const realm = options.realm ?? DEFAULT_REALM;

  return async function requireScopeMiddleware(c, next) {
    const token = c.get('accessToken');
    if (token === undefined) throw new Error('requireScope() must run after verifyAccessToken()');
    if (!token.scopes.has(scope)) {
      throw new HttpError(403, {
        code: 'insufficient_scope',
        detail: `The access token lacks the "${scope}" scope.`,
        wwwAuthenticate: bearerChallenge(realm, { error: 'insufficient_scope', scope }),
      });
    }
    await next();
  };
}
