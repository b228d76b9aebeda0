// The vars and secrets each Worker gets in local mode, wired from the system description and the running local IdP.
import { mcpServer, type TodosPermission, todosApi, upstreamScopeFor } from '../../system/system.js';

/** What the local IdP tells the stack about itself (a subset of `startLocalIdp`'s result). */
export interface LocalIdpFacts {
  issuer: string;
  domain: string;
  mcpApp: { clientId: string; clientSecret: string };
}

export interface LocalWorkerVarsContext {
  idp: LocalIdpFacts;
  urls: { mcp: string; api: string };
  cookieEncryptionKey: string;
  /** What users may grant: AUTH0_SCOPE carries them, as the Pulumi program sets it from `userPermissions`. */
  userPermissions: readonly TodosPermission[];
}

/**
 * Vars for a Worker by its wrangler name; they override wrangler.jsonc's `vars`. The same names are set as
 * secrets/plain-text bindings by the Pulumi program in the cloud, where AUTH0_ISSUER is left unset.
 */
export function localWorkerVars(workerName: string, ctx: LocalWorkerVarsContext): Record<string, string> {
  const idpVars = {
    AUTH0_DOMAIN: ctx.idp.domain,
    // The local IdP is http://localhost:<port>/, which AUTH0_DOMAIN alone (https://<domain>/) cannot express.
    AUTH0_ISSUER: ctx.idp.issuer,
    AUTH0_AUDIENCE: todosApi.identifier,
  };
  switch (workerName) {
    case todosApi.workerName:
      return idpVars;
    case mcpServer.workerName:
      return {
        ...idpVars,
        AUTH0_CLIENT_ID: ctx.idp.mcpApp.clientId,
        AUTH0_CLIENT_SECRET: ctx.idp.mcpApp.clientSecret,
        AUTH0_SCOPE: upstreamScopeFor(ctx.userPermissions),
        API_BASE_URL: ctx.urls.api,
        COOKIE_ENCRYPTION_KEY: ctx.cookieEncryptionKey,
        // Tokens are bound to the exact origin: pin it, so a request via 127.0.0.1 cannot mint tokens for another one.
        MCP_SERVER_URL: ctx.urls.mcp,
      };
    default:
      return {};
  }
}
