// The single description of the system: every name that ties the Pulumi program, the local stack,
// the Workers' configs and the tests together. Wiring is derived from here, never retyped.

/**
 * The Pulumi project (`name:` in Pulumi.yaml): the namespace of the stack's config keys and of the
 * program's component type tokens. A test checks it against Pulumi.yaml.
 */
export const pulumiProject = 'remote-mcp';

/** An API permission (Auth0 "scope" on a resource server). */
export interface Permission {
  readonly value: string;
  readonly description: string;
  /**
   * Sensitive: left unticked on the consent page even when an MCP client asks for it, so it is granted
   * only when the user ticks it. Other requested permissions start ticked; the user may untick them.
   */
  readonly optIn?: true;
}

/** Auth0 API "Todos API": the resource server the Todos API Worker protects. */
export const todosApi = {
  /** Display name of the Auth0 API. */
  name: 'Todos API',
  /** API identifier = the `aud` of its access tokens. */
  identifier: 'urn:todos-api',
  signingAlg: 'RS256',
  allowOfflineAccess: true,
  permissions: [
    { value: 'read:todos', description: 'Read your todos' },
    { value: 'write:todos', description: 'Create, update and delete your todos' },
    { value: 'read:billing', description: 'Read your billing information', optIn: true },
  ],
  /** Cloudflare Worker that serves the API. */
  workerName: 'todos-api',
  /** `wrangler dev` / local stack port. */
  devPort: 8789,
  /** D1 database holding the todos and billing profiles, bound as `DB`. */
  database: { name: 'todos-db', binding: 'DB' },
} as const satisfies {
  permissions: readonly Permission[];
  [key: string]: unknown;
};

export type TodosPermission = (typeof todosApi.permissions)[number]['value'];

/** The MCP server Worker: OAuth server for MCP clients, OIDC client of Auth0. */
export const mcpServer = {
  /** Cloudflare Worker name (the tutorial's). */
  workerName: 'mcp-auth0-oidc',
  /** Auth0 application: a Regular Web Application. */
  appName: 'Remote MCP Server',
  devPort: 8788,
  /** Path of the upstream (IdP) redirect URI on the MCP server. */
  callbackPath: '/callback',
  /** Streamable HTTP and legacy SSE transports. */
  paths: { mcp: '/mcp', sse: '/sse' },
  /**
   * AUTH0_SCOPE for the default `userPermissions`: the OIDC login scopes plus the permissions users may grant
   * (`upstreamScopeFor`). It is a ceiling, not what each login asks for: a login asks for the login scopes plus
   * exactly the permissions the user approved on the consent page for that MCP client.
   */
  scope: 'openid email profile offline_access read:todos write:todos',
  /**
   * Compatibility flags the deployed MCP server gets on top of its wrangler.jsonc. workers-oauth-provider
   * fetches client ID metadata documents only under `global_fetch_strictly_public` (SSRF guard); the flag
   * stays out of wrangler.jsonc because it blocks the loopback IdP in local mode.
   */
  cloudCompatibilityFlags: ['global_fetch_strictly_public'],
  /** KV namespace for the OAuth provider's state (clients, grants, tokens). */
  kv: { binding: 'OAUTH_KV', title: 'mcp-oauth-kv' },
  /** Service binding from the MCP server to the Todos API Worker. */
  todosApiBinding: 'TODOS_API',
  /** The account page: signed-in users see and revoke their connected MCP clients and their recent tool calls. */
  accountPath: '/account',
  /**
   * D1 database of the MCP server's own audit log (tool calls and grant events, pseudonymous), bound as
   * `AUDIT_DB`; `purgeCron` is the cron trigger that deletes rows older than the retention period.
   */
  auditDatabase: { name: 'mcp-audit-db', binding: 'AUDIT_DB', purgeCron: '17 3 * * *' },
  /** Cron trigger of the OAuth housekeeping: the library's sweep of expired records, never-used clients. */
  oauthHousekeepingCron: '17 * * * *',
} as const;

/** Auth0 tenant objects that are not the API or the MCP app. */
export const auth0 = {
  /** Database connection enabled for the MCP app so users can sign up / log in. */
  databaseConnection: 'Username-Password-Authentication',
  /** The machine-to-machine app Auth0 makes per API ("Test" tab in the dashboard). */
  testAppName: 'Todos API (Test Application)',
} as const;

/** Local mode: the Auth0-compatible IdP that stands in for Auth0 on one machine. */
export const localIdp = {
  port: 8790,
} as const;

/** The one host name local mode uses: tokens are bound to exact URLs, so never mix hosts. */
export const localHost = 'localhost';

/** Base URL of a local service on a port, e.g. `http://localhost:8788`. */
export function localUrl(port: number): string {
  return `http://${localHost}:${port}`;
}

/** Issuer of the local IdP: with a trailing slash, like Auth0's `https://<domain>/`. */
export function localIssuer(port: number = localIdp.port): string {
  return `${localUrl(port)}/`;
}

/** The IdP redirect URI of an MCP server at `mcpServerUrl` (origin, no trailing slash). */
export function mcpCallbackUrl(mcpServerUrl: string): string {
  return new URL(mcpServer.callbackPath, mcpServerUrl).toString();
}

/**
 * Where the account page sends the browser after a sign-out at the IdP: the IdP app must list it as an allowed
 * logout URL (Auth0's `allowedLogoutUrls`, the local IdP's `post_logout_redirect_uris`).
 */
export function accountSignedOutUrl(mcpServerUrl: string): string {
  return new URL(`${mcpServer.accountPath}/signed-out`, mcpServerUrl).toString();
}

/** Every permission value of the Todos API. */
export const allTodosPermissions: readonly TodosPermission[] = todosApi.permissions.map((p) => p.value);

/**
 * Which Todos API permissions a signed-in user may grant to an MCP client unless the stack says otherwise
 * (`userPermissions` in Pulumi.yaml; `read:billing` is opt-in). Both IdPs cap a user's tokens at this list.
 */
export const defaultUserPermissions: readonly TodosPermission[] = ['read:todos', 'write:todos'];

/** The OpenID Connect scopes the MCP server asks the IdP for besides API permissions (in `mcpServer.scope` order). */
export const oidcLoginScopes = ['openid', 'email', 'profile', 'offline_access'] as const;

/** The scope the MCP server asks the IdP for when users may grant `permissions`: the login scopes, then the permissions. */
export function upstreamScopeFor(permissions: readonly TodosPermission[]): string {
  const granted = allTodosPermissions.filter((p) => permissions.includes(p));
  return [...oidcLoginScopes, ...granted].join(' ');
}

/**
 * The permission every MCP grant holds (the tutorial's default, `read:todos`): the consent page's fixed line, and
 * the scope an unauthenticated MCP request is challenged with (clients ask for it first).
 */
export const baselinePermissions: readonly TodosPermission[] = ['read:todos'];

/** The permission each MCP tool needs from the grant (`null`: any grant). Tools read it from here, typed. */
export const mcpToolPermissions = {
  whoami: null,
  'list-todos': 'read:todos',
  'add-todo': 'write:todos',
  'complete-todo': 'write:todos',
  'delete-todo': 'write:todos',
  'list-billing': 'read:billing',
} as const satisfies Record<string, TodosPermission | null>;

export type McpToolName = keyof typeof mcpToolPermissions;

/**
 * Rate limits of the MCP server: Workers Rate Limiting bindings (wrangler.jsonc `ratelimits`, bound by the Pulumi
 * program; Miniflare runs them in local mode). Each is a ceiling per key: `limit` requests per `period` seconds (the
 * binding allows 10 or 60). Registration and authorize are keyed by client IP, a ceiling only, since hosted MCP
 * clients share egress IPs; the token endpoint by client_id; MCP traffic by user + client. `namespaceId` names the
 * counter on the Cloudflare account (a positive integer, unique per limit).
 */
export const mcpRateLimits = {
  registration: { binding: 'RATE_LIMIT_REGISTRATION', namespaceId: '7001', limit: 60, period: 60 },
  authorize: { binding: 'RATE_LIMIT_AUTHORIZE', namespaceId: '7002', limit: 60, period: 60 },
  token: { binding: 'RATE_LIMIT_TOKEN', namespaceId: '7003', limit: 30, period: 60 },
  // 600 requests a minute, checked at the binding on every 10th request of an isolate (a check costs more than the
  // rest of an MCP request in local mode): the binding's own limit is 600 / 10.
  mcp: { binding: 'RATE_LIMIT_MCP', namespaceId: '7004', limit: 60, period: 60, sampleEvery: 10 },
} as const satisfies Record<string, { binding: string; namespaceId: string; limit: number; period: 10 | 60; sampleEvery?: number }>;

/** What dynamic client registration accepts (RFC 7591): bounded, so an unauthenticated caller cannot fill storage. */
export const registrationPolicy = {
  /** Largest registration request body, in bytes. */
  maxBodyBytes: 16 * 1024,
  /** Longest `client_name`, in characters. */
  maxClientNameLength: 100,
  /** Longest URI field (`client_uri`, `logo_uri`, `policy_uri`, `tos_uri`, each redirect URI), in characters. */
  maxUriLength: 2048,
  maxRedirectUris: 10,
  maxContacts: 5,
  /** A client registered this long ago that never completed an authorization is deleted by the cron purge. */
  unusedClientDays: 7,
} as const;
