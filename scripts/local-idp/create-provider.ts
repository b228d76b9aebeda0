// oidc-provider configured to behave like Auth0 for what this product uses (see README.md for the mapping).
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import {
  accountSignedOutUrl,
  allTodosPermissions,
  auth0,
  defaultUserPermissions,
  mcpCallbackUrl,
  mcpServer,
  type TodosPermission,
  todosApi,
} from '../../system/system.js';
import { pageHeaders, renderErrorPage, renderMessagePage } from './html-pages.js';
import { INTERACTION_PATH } from './interaction-routes.js';
import { type JsonFileStore, jsonFileAdapter } from './json-file-adapter.js';
import type { LocalIdpState } from './local-idp-state.js';
import { findLocalUser } from './local-users.js';
import { OFFLINE_ACCESS_PARAM, recordOfflineAccessIntent, restoreOfflineAccess } from './offline-access-intent.js';
import { grantableApiScopes } from './user-permission-policy.js';

/** Auth0's endpoint paths, so Auth0 clients and the Workers use the same URLs against either IdP. */
export const localIdpRoutes = {
  authorization: '/authorize',
  token: '/oauth/token',
  jwks: '/.well-known/jwks.json',
  userinfo: '/userinfo',
  revocation: '/oauth/revoke',
  // Auth0's OIDC-conformant logout endpoint (RP-initiated logout 1.0).
  end_session: '/oidc/logout',
} as const;

const OIDC_SCOPES = ['openid', 'offline_access', 'email', 'profile'] as const;
const OIDC_SCOPE_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);
const API_PERMISSIONS: ReadonlySet<string> = new Set(allTodosPermissions);

export interface CreateProviderOptions {
  readonly issuer: string;
  readonly state: LocalIdpState;
  readonly store: JsonFileStore;
  readonly mcpServerUrl: string;
  readonly accessTokenTtlSeconds: number;
  /** Todos API permissions a user may grant (the stack's `userPermissions`); default `read:todos write:todos`. */
  readonly userPermissions?: readonly TodosPermission[];
}

function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const scope = ctx.oidc.params?.scope;
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

/** Auth0's `audience`: a registered extra parameter at /authorize, read from the raw body at /oauth/token. */
function audienceOf(ctx: KoaContextWithOIDC): string | undefined {
  const fromParams = ctx.oidc.params?.audience;
  const fromBody = (ctx.oidc.body as Record<string, unknown> | undefined)?.audience;
  const audience = fromParams ?? fromBody;
  return typeof audience === 'string' && audience !== '' ? audience : undefined;
}

export function createProvider(options: CreateProviderOptions): Provider {
  const { state, accessTokenTtlSeconds } = options;
  const userPermissions = options.userPermissions ?? defaultUserPermissions;

  const configuration: Configuration = {
    adapter: jsonFileAdapter(options.store),
    clients: [
      {
        client_id: state.mcpApp.clientId,
        client_secret: state.mcpApp.clientSecret,
        client_name: mcpServer.appName,
        // Regular Web Application: confidential, code flow, refresh tokens.
        application_type: 'web',
        redirect_uris: [mcpCallbackUrl(options.mcpServerUrl)],
        // The landing page, and the account page's signed-out page (its "sign out at the IdP too" returns there).
        post_logout_redirect_uris: [new URL('/', options.mcpServerUrl).toString(), accountSignedOutUrl(options.mcpServerUrl)],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        client_id: state.testApp.clientId,
        client_secret: state.testApp.clientSecret,
        client_name: auth0.testAppName,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [state.signingKey] },
    cookies: { keys: [...state.cookieKeys] },
    routes: localIdpRoutes,
    scopes: [...OIDC_SCOPES],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'nickname'],
    },
    // Auth0 puts the profile claims the scope asks for in the ID token even when an access token is issued too.
    conformIdTokenClaims: false,
    extraParams: ['audience', OFFLINE_ACCESS_PARAM],
    // What this product uses: the code flow only (Auth0 offers more; nothing here needs implicit or hybrid).
    responseTypes: ['code'],
    pkce: { required: () => true },
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      ClientCredentials: accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 36_000,
      Interaction: 600,
      Session: 14 * 24 * 3600,
      Grant: 30 * 24 * 3600,
      // Auth0's default: refresh tokens live 30 days (absolute), rotated on each use.
      RefreshToken: 30 * 24 * 3600,
    },
    rotateRefreshToken: true,
    // Auth0 issues a refresh token for `offline_access` when the API allows offline access; no `prompt=consent` needed.
    issueRefreshToken: (_ctx, client, code) =>
      todosApi.allowOfflineAccess && client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    async findAccount(_ctx, sub) {
      const user = findLocalUser(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          nickname: user.email.split('@')[0],
        }),
      };
    },
    // Auth0 does not show a consent screen to first-party applications; every client registered here is first-party.
    async loadExistingGrant(ctx) {
      const { client, session, provider } = ctx.oidc;
      const accountId = session?.accountId;
      if (!client || !accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      let grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== accountId) grant = undefined;
      grant ??= new provider.Grant({ clientId: client.clientId, accountId });

      restoreOfflineAccess(ctx);
      const scopes = requestedScopes(ctx);
      const oidcScopes = scopes.filter((s) => OIDC_SCOPE_SET.has(s));
      if (oidcScopes.length > 0) grant.addOIDCScope(oidcScopes.join(' '));
      const resource = typeof ctx.oidc.params?.resource === 'string' ? ctx.oidc.params.resource : audienceOf(ctx);
      const grantable = grantableApiScopes(undefined, userPermissions);
      const apiScopes = scopes.filter((s) => API_PERMISSIONS.has(s) && grantable.includes(s));
      if (resource === todosApi.identifier && apiScopes.length > 0) grant.addResourceScope(resource, apiScopes.join(' '));
      await grant.save();
      return grant;
    },
    // Like Auth0 RBAC's "Add Permissions in the Access Token": the granted API scopes as a `permissions` array.
    async extraTokenClaims(_ctx, token) {
      const isApiToken = 'resourceServer' in token && token.resourceServer?.audience === todosApi.identifier;
      if (!isApiToken) return undefined;
      const permissions = (token.scope ?? '').split(' ').filter((s) => API_PERMISSIONS.has(s));
      return {
        permissions,
        azp: token.clientId,
        ...(token.kind === 'ClientCredentials' ? { gty: 'client-credentials' } : {}),
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      for (const [name, value] of Object.entries(pageHeaders)) ctx.set(name, value);
      ctx.body = renderErrorPage({
        error: String(out.error),
        ...(out.error_description ? { description: String(out.error_description) } : {}),
      });
    },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        // As at Auth0: an application may revoke only the tokens issued to it.
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = renderMessagePage(
            'Log out',
            'Do you want to log out of the local IdP?',
            `${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, log me out</button>`,
          );
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = renderMessagePage('Logged out', 'You are logged out of the local IdP.');
        },
      },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, _client, oneOf) {
          const resource = oneOf ?? audienceOf(ctx);
          // Auth0 (with no tenant default audience) refuses client_credentials without an audience.
          if (!resource && ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials') {
            throw new errors.InvalidRequest(`the audience parameter is required (use ${todosApi.identifier})`);
          }
          return resource;
        },
        // Refresh and code exchange get a token for the API the user granted, as Auth0 does (no audience re-sent).
        useGrantedResource: () => true,
        async getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator !== todosApi.identifier) {
            throw new errors.InvalidTarget(`unknown audience ${resourceIndicator}`);
          }
          // Auth0 gives a machine-to-machine app every permission it is authorized for when it asks for none.
          if (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials' && !ctx.oidc.params.scope) {
            ctx.oidc.params.scope = allTodosPermissions.join(' ');
          }
          return {
            // The ceiling: oidc-provider grants only these of the requested scopes, and asks no consent for the rest.
            scope: grantableApiScopes(String(ctx.oidc.params?.grant_type ?? ''), userPermissions).join(' '),
            audience: todosApi.identifier,
            accessTokenTTL: accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: todosApi.signingAlg } },
          };
        },
      },
    },
  };

  const provider = new Provider(options.issuer, configuration);
  // Local mode runs on plain http://localhost behind no proxy.
  provider.proxy = false;
  provider.use(recordOfflineAccessIntent(localIdpRoutes.authorization));
  return provider;
}
