// What docs/deploy.md says about each resource type and output of the program: a description, the Auth0 Management
// API scopes its provider calls need, the Cloudflare token permission. deploy-doc.test.ts requires an entry for every
// type and output the mock graph has (and no other), and writes the generated tables into the guide.

export interface ResourceFacts {
  /** What the resource is, for a reader of `pulumi preview`. */
  what: string;
  /**
   * Auth0 Management API scopes the provider's calls for this type need (terraform-provider-auth0
   * internal/auth0/<resource>: create/read/update/delete, plus the extra reads each one makes).
   */
  auth0Scopes?: readonly string[];
  /** Cloudflare API token permission its calls need. */
  cloudflarePermission?: string;
}

const crud = (object: string) => [`read:${object}`, `create:${object}`, `update:${object}`, `delete:${object}`];

/** By resource type token (or invoke token for data sources). */
export const resourceFacts: Record<string, ResourceFacts> = {
  'remote-mcp:auth0:TodosApi': { what: 'component: the Auth0 API and its permissions' },
  'remote-mcp:auth0:McpServerApp': { what: "component: the MCP server's Auth0 application" },
  'remote-mcp:auth0:TodosApiTestApp': { what: 'component: the machine-to-machine test application' },
  'remote-mcp:auth0:PermissionCeiling': { what: 'component: the post-login Action capping user permissions' },
  'remote-mcp:cloudflare:TodosDatabase': { what: 'component: the Todos API D1 database and its migrations' },
  'remote-mcp:cloudflare:AuditDatabase': { what: "component: the MCP server's audit-log D1 database and its migrations" },
  'remote-mcp:cloudflare:Worker': { what: 'component: a Worker, its workers.dev route and custom domain' },
  'auth0:index/resourceServer:ResourceServer': {
    what: 'Auth0 API `Todos API` (`urn:todos-api`, RS256, offline access, RBAC off)',
    auth0Scopes: crud('resource_servers'),
  },
  'auth0:index/resourceServerScopes:ResourceServerScopes': {
    what: 'its permissions `read:todos`, `write:todos`, `read:billing` (the whole list)',
    // Reads and PATCHes the resource server, on delete too.
    auth0Scopes: ['read:resource_servers', 'update:resource_servers'],
  },
  'auth0:index/client:Client': {
    what: 'Auth0 application (Regular Web App for the MCP server; M2M for the test app)',
    auth0Scopes: crud('clients'),
  },
  'auth0:index/clientCredentials:ClientCredentials': {
    what: "the application's `client_secret_post` method and secret",
    // Create/update PATCH the client and read its secret; delete lists the client's credentials first.
    auth0Scopes: ['read:clients', 'update:clients', 'read:client_keys', 'read:client_credentials'],
  },
  'auth0:index/clientGrant:ClientGrant': {
    what: "the test application's grant on the API (every permission)",
    auth0Scopes: crud('client_grants'),
  },
  'auth0:index/getConnection:getConnection': {
    what: 'data source: looks up `Username-Password-Authentication`',
    auth0Scopes: ['read:connections'],
  },
  'auth0:index/connectionClient:ConnectionClient': {
    what: 'enables that connection for the MCP app (other apps left alone)',
    auth0Scopes: ['read:connections', 'update:connections'],
  },
  'auth0:index/action:Action': {
    what: 'post-login Action dropping permissions outside `userPermissions` (deployed)',
    // internal/auth0/action/resource.go: Create, Read (polled until "built"), Update, Delete, then Deploy
    // (POST /actions/actions/{id}/deploy, covered by create:/update:actions).
    auth0Scopes: crud('actions'),
  },
  'auth0:index/triggerAction:TriggerAction': {
    what: 'binds it to the post-login trigger, after the tenant’s other Actions',
    // internal/auth0/action/resource_trigger_action.go: Action.Bindings (GET), Action.Read, Action.UpdateBindings
    // (PATCH /actions/triggers/post-login/bindings), on create and delete alike.
    auth0Scopes: ['read:actions', 'update:actions'],
  },
  'cloudflare:index/workersKvNamespace:WorkersKvNamespace': {
    what: 'KV namespace `mcp-oauth-kv` (OAuth clients, grants, tokens)',
    cloudflarePermission: 'Account · Workers KV Storage · Edit',
  },
  'cloudflare:index/d1Database:D1Database': {
    what: 'D1 databases `todos-db` (todos, billing profiles) and `mcp-audit-db` (the audit log)',
    cloudflarePermission: 'Account · D1 · Edit',
  },
  'pulumi-nodejs:dynamic:Resource': {
    what: 'D1 migrations applied through the D1 query API (dynamic provider)',
    cloudflarePermission: 'Account · D1 · Edit',
  },
  'cloudflare:index/workersScript:WorkersScript': {
    what: 'the Worker upload: bundle file + SHA-256, bindings, Durable Object migrations',
    cloudflarePermission: 'Account · Workers Scripts · Edit',
  },
  'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain': {
    what: "the Worker's workers.dev route (on, or off with a custom domain)",
    cloudflarePermission: 'Account · Workers Scripts · Edit',
  },
  'cloudflare:index/workersCronTrigger:WorkersCronTrigger': {
    what: "the MCP server's cron schedule (audit-log retention, OAuth housekeeping)",
    cloudflarePermission: 'Account · Workers Scripts · Edit',
  },
  'cloudflare:index/workersCustomDomain:WorkersCustomDomain': {
    what: 'custom domain of a Worker (DNS record and certificate made by Cloudflare)',
    cloudflarePermission: 'Account · Workers Scripts · Edit, and Zone · Workers Routes · Edit + DNS · Edit on the zone',
  },
  'cloudflare:index/getZone:getZone': {
    what: 'data source: looks up the zone of the custom hostnames by name',
    cloudflarePermission: 'Zone · Zone · Read on the zone',
  },
  'random:index/randomBytes:RandomBytes': { what: '32 random bytes: the `COOKIE_ENCRYPTION_KEY` (kept in the state, secret)' },
};

/** What each stack output is for. */
export const outputFacts: Record<string, string> = {
  mcpServerBaseUrl: "the MCP server's origin (custom domain or workers.dev): the OAuth issuer MCP clients see",
  mcpEndpoint: 'the MCP URL to give clients (Streamable HTTP, `/mcp`)',
  sseEndpoint: 'the legacy SSE URL (`/sse`) for clients that only speak HTTP+SSE (the tutorial uses it)',
  todosApiUrl: 'the Todos API origin (`/api/me`, `/api/todos`, `/api/billing`)',
  auth0CallbackUrl: 'the callback registered on the Auth0 application (`<mcpServerBaseUrl>/callback`)',
  auth0ClientId: "the MCP server's Auth0 client id (its secret stays in the Worker and the state)",
  todosApiAudience: 'the API identifier: the `audience` of every access token',
  d1DatabaseId: 'the D1 database id, for `wrangler d1 execute --remote`',
  auditDatabaseId: "the audit log's D1 database id (tool calls and grant events, 90 days)",
  accountPageUrl: 'the account page: connected apps, activity, revoke, sign out (`<mcpServerBaseUrl>/account`)',
  kvNamespaceId: 'the KV namespace id, for `wrangler kv key list --namespace-id`',
  testAppClientId: 'the M2M test application: with `testAppClientSecret`, client-credentials tokens for the API',
  testAppClientSecret: 'its secret: `pulumi stack output --show-secrets testAppClientSecret`',
  claudeDesktopConfig: 'JSON to paste into `claude_desktop_config.json` (runs `npx mcp-remote <mcpEndpoint>`)',
  mcpInspectorCommand: 'how to open MCP Inspector on the endpoint',
};

/** Permissions the program's own Cloudflare API calls need (no provider resource: see cloudflare-api.ts). */
export const directCloudflareCalls: { call: string; permission: string }[] = [
  {
    call: '`GET /accounts/{id}/workers/subdomain`: the workers.dev subdomain (skipped when `workersDevSubdomain` is set)',
    permission: 'Account · Workers Scripts · Read (Edit includes it)',
  },
  {
    call: '`GET /accounts/{id}/workers/services/{name}`: the live Durable Object migration tag, as wrangler reads it',
    permission: 'Account · Workers Scripts · Read (Edit includes it)',
  },
  { call: '`POST /accounts/{id}/d1/database/{db}/query`: the D1 migrations', permission: 'Account · D1 · Edit' },
];
