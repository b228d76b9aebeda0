// Keeps Auth0's `offline_access` semantics: oidc-provider drops that scope unless `prompt=consent`; Auth0 does not.
import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * Internal authorization parameter recording that the raw request asked for `offline_access`. It is registered
 * as an extra param so it travels with the interaction; whatever a client sends under this name is overwritten.
 */
export const OFFLINE_ACCESS_PARAM = 'x_local_idp_offline_access';

type Next = () => Promise<unknown>;

/** Koa middleware (via `provider.use`) for GET `<authorizationPath>`: note the intent before oidc-provider strips it. */
export function recordOfflineAccessIntent(authorizationPath: string) {
  return async (ctx: KoaContextWithOIDC, next: Next): Promise<void> => {
    if (ctx.method === 'GET' && ctx.path === authorizationPath) {
      const query: Record<string, string | string[] | undefined> = { ...ctx.query };
      delete query[OFFLINE_ACCESS_PARAM];
      const scope = typeof query.scope === 'string' ? query.scope.split(' ') : [];
      if (scope.includes('offline_access')) query[OFFLINE_ACCESS_PARAM] = '1';
      ctx.query = query as typeof ctx.query;
    }
    await next();
  };
}

/**
 * Put `offline_access` back into the request's scope (called from `loadExistingGrant`, which runs before the
 * authorization code is made), so the code, and then the refresh token, carry it as Auth0's would.
 */
export function restoreOfflineAccess(ctx: KoaContextWithOIDC): boolean {
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  if (params?.[OFFLINE_ACCESS_PARAM] !== '1' || !ctx.oidc.client?.grantTypeAllowed('refresh_token')) return false;
  const scopes = new Set(typeof params.scope === 'string' ? params.scope.split(' ') : []);
  scopes.add('offline_access');
  params.scope = [...scopes].join(' ');
  return true;
}
