// Starts the local Auth0-compatible OpenID provider (oidc-provider) on a loopback port, with persisted keys and clients.

import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { localIdp, localIssuer, type TodosPermission } from '../../system/system.js';
import { createProvider, localIdpRoutes } from './create-provider.js';
import { pageHeaders, renderErrorPage } from './html-pages.js';
import { handleInteraction } from './interaction-routes.js';
import { JsonFileStore } from './json-file-adapter.js';
import { type ClientCredentials, loadOrCreateLocalIdpState } from './local-idp-state.js';
import { type LocalUser, localUsers } from './local-users.js';

export type { LocalUser } from './local-users.js';

export interface LocalIdpOptions {
  /** TCP port; the system's `localIdp.port` (8790) in local mode. */
  port: number;
  /** Folder for the signing key, client secrets, cookie keys and the grant/token store (git-ignored). */
  stateDir: string;
  /** MCP server origin, e.g. `http://localhost:8788`: `<mcp>/callback` is registered for the "Remote MCP Server" app. */
  mcpServerUrl: string;
  /** Lifetime of access tokens in seconds. Default 3600 (Auth0's default for a custom API is longer; tests shorten it). */
  accessTokenTtlSeconds?: number;
  /** Listen address. Default `localhost`. The issuer always uses `localhost` (tokens are bound to exact URLs). */
  host?: string;
  /** Todos API permissions a user may grant (the stack setting `userPermissions`); default `read:todos write:todos`. */
  userPermissions?: readonly TodosPermission[];
}

export interface LocalIdp {
  /** `http://localhost:<port>/`, with a trailing slash like Auth0's. */
  issuer: string;
  /** `localhost:<port>`: what `AUTH0_DOMAIN` would hold. */
  domain: string;
  /** "Remote MCP Server" regular web app. */
  mcpApp: ClientCredentials;
  /** "Todos API (Test Application)" machine-to-machine app. */
  testApp: ClientCredentials;
  users: readonly LocalUser[];
  /** Test/admin hook: revoke every refresh token (and grant) of a user, like removing the app's access in Auth0. */
  revokeUserGrants(sub: string): Promise<void>;
  /** Successful refresh_token grants, and every request that reached the token endpoint (success or error). */
  stats(): { refreshGrants: number; tokenRequests: number };
  close(): Promise<void>;
}

/** Name of the grant/token/session store inside the state folder. */
export const STORE_FILE = 'oidc-store.json';

const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`local IdP: port ${port} is already in use (is another \`npm run dev\` running?)`, { cause: error })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startLocalIdp(options: LocalIdpOptions): Promise<LocalIdp> {
  const port = options.port ?? localIdp.port;
  const host = options.host ?? 'localhost';
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  if (!Number.isSafeInteger(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) {
    throw new TypeError(`local IdP: accessTokenTtlSeconds must be a positive integer, got ${String(options.accessTokenTtlSeconds)}`);
  }
  if (!options.stateDir) throw new TypeError('local IdP: stateDir is required');
  const mcpOrigin = new URL(options.mcpServerUrl).origin;

  const stateDir = path.resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const state = await loadOrCreateLocalIdpState(stateDir);
  const store = await JsonFileStore.open(path.join(stateDir, STORE_FILE));
  const issuer = localIssuer(port);
  const provider = createProvider({
    issuer,
    state,
    store,
    mcpServerUrl: mcpOrigin,
    accessTokenTtlSeconds,
    ...(options.userPermissions ? { userPermissions: options.userPermissions } : {}),
  });

  const counters = { refreshGrants: 0, tokenRequests: 0 };
  provider.use(async (ctx, next) => {
    if (ctx.path === localIdpRoutes.token && ctx.method === 'POST') counters.tokenRequests += 1;
    await next();
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.params?.grant_type === 'refresh_token') counters.refreshGrants += 1;
  });
  // Only the reason, never the request: token and code values must not reach the logs.
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => {
    console.error(`[local-idp] server error: ${error.message}`);
  });

  const callback = provider.callback();
  const server = createServer((req, res) => {
    handleInteraction(provider, req, res)
      .then((handled) => {
        if (!handled) callback(req, res);
      })
      .catch((error: unknown) => {
        console.error(`[local-idp] request failed: ${(error as Error).message}`);
        if (!res.headersSent) {
          res.writeHead(500, pageHeaders);
          res.end(renderErrorPage({ error: 'server_error' }));
        }
      });
  });
  await listen(server, port, host);

  return {
    issuer,
    domain: new URL(issuer).host,
    mcpApp: state.mcpApp,
    testApp: state.testApp,
    users: localUsers,
    async revokeUserGrants(sub) {
      for (const [grantId, grant] of store.list('Grant')) {
        if (grant.accountId === sub) store.deleteGrant(grantId);
      }
    },
    stats: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Browsers and fetch keep idle connections open; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
