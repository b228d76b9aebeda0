// Composition root of the Pulumi program: config -> Auth0 -> Cloudflare -> outputs. Run with `npm run up`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { mcpRateLimits, mcpServer, todosApi, upstreamScopeFor } from '../system/system.js';
import { McpServerApp, TodosApi, TodosApiTestApp } from './auth0.js';
import { PermissionCeiling } from './auth0-permission-ceiling.js';
import { AuditDatabase, secretText, TodosDatabase, Worker } from './cloudflare.js';
import { cloudflareApi } from './cloudflare-api.js';
import { customDomainZoneId, naming, readInfraConfig } from './config.js';
import { fetchScriptMigrationTag, pendingMigrations, type ScriptMigrations } from './durable-object-migrations.js';
import { workersSubdomain } from './workers-subdomain.js';
import { readWorkerConfig, type WorkerConfig } from './wrangler-config.js';

const config = readInfraConfig();
const names = naming(config.namePrefix);
const accountId = config.cloudflareAccountId;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const todosApiDir = path.join(repoRoot, 'workers', 'todos-api');
const mcpServerDir = path.join(repoRoot, 'workers', 'mcp-server');
const todosApiConfig = readWorkerConfig(todosApiDir);
const mcpServerConfig = readWorkerConfig(mcpServerDir);

// Direct API calls (subdomain, migration tag, D1 queries) use the Cloudflare provider's own token and base URL.
const api = cloudflareApi();
const subdomain = workersSubdomain(accountId, config.workersDevSubdomain, api);

/** Durable Object migrations for a script: only those after its live tag, looked up at preview/up. */
function doMigrations(scriptName: string, workerConfig: WorkerConfig): pulumi.Output<ScriptMigrations | undefined> | undefined {
  if (workerConfig.migrations.length === 0) return undefined;
  return pulumi.unsecret(
    api.token.apply(async (apiToken) => {
      if (!apiToken)
        throw new Error('No Cloudflare API token (cloudflare:apiToken or CLOUDFLARE_API_TOKEN): needed to read the Worker migration tag.');
      const tag = await fetchScriptMigrationTag({ apiBaseUrl: api.baseUrl, apiToken, accountId, scriptName });
      return pendingMigrations(workerConfig, tag);
    }),
  );
}

const mcpScriptName = names.resource(mcpServer.workerName);
const todosScriptName = names.resource(todosApi.workerName);
const workerOrigin = (scriptName: string, hostname: string | undefined) =>
  hostname ? pulumi.output(`https://${hostname}`) : pulumi.interpolate`https://${scriptName}.${subdomain}.workers.dev`;
// Known before the Workers exist, so the Auth0 app (whose secret the MCP Worker needs) can list its callback.
const mcpServerUrl = workerOrigin(mcpScriptName, config.mcpServerHostname);

// --- Auth0 ---
const todosApiAuth0 = new TodosApi('todos-api', { naming: names, protect: config.protectData });
// No dashboard step: a user who signs up may grant exactly `userPermissions` (consent decides within that ceiling).
new PermissionCeiling('user-permission-ceiling', {
  naming: names,
  audience: todosApiAuth0.identifier,
  userPermissions: config.userPermissions,
});
const mcpApp = new McpServerApp('mcp-server-app', { naming: names, mcpServerUrl });
const testApp = new TodosApiTestApp('todos-api-test-app', {
  naming: names,
  audience: todosApiAuth0.identifier,
  permissions: todosApiAuth0.permissions,
});

// --- Cloudflare ---
const dbBinding = todosApi.database.binding;
const migrationsDir = todosApiConfig.d1MigrationsDirs[dbBinding];
if (!migrationsDir) throw new Error(`workers/todos-api/wrangler.jsonc has no d1_databases entry bound as ${dbBinding}`);
const database = new TodosDatabase('todos-db', {
  accountId,
  name: names.resource(todosApi.database.name),
  migrationsDir,
  apiToken: api.token,
  apiBaseUrl: api.baseUrl,
  protect: config.protectData,
});
const auditDbBinding = mcpServer.auditDatabase.binding;
const auditMigrationsDir = mcpServerConfig.d1MigrationsDirs[auditDbBinding];
if (!auditMigrationsDir) throw new Error(`workers/mcp-server/wrangler.jsonc has no d1_databases entry bound as ${auditDbBinding}`);
const auditDatabase = new AuditDatabase('mcp-audit-db', {
  accountId,
  name: names.resource(mcpServer.auditDatabase.name),
  migrationsDir: auditMigrationsDir,
  apiToken: api.token,
  apiBaseUrl: api.baseUrl,
  // Who did what, for the account page's activity and the operator.
  protect: config.protectData,
});
const kv = new cloudflare.WorkersKvNamespace(
  'mcp-oauth-kv',
  { accountId, title: names.resource(mcpServer.kv.title) },
  // The OAuth state: registered clients and every user's grants.
  { protect: config.protectData },
);
const zoneId = customDomainZoneId(config);
const auth0Domain = pulumi.secret(config.auth0Domain);

const todosWorker = new Worker('todos-api-worker', {
  accountId,
  scriptName: todosScriptName,
  workerDir: todosApiDir,
  bundleDir: path.join(repoRoot, '.bundles', 'pulumi', 'todos-api'),
  config: todosApiConfig,
  migrations: doMigrations(todosScriptName, todosApiConfig),
  workersDevSubdomain: subdomain,
  hostname: config.todosApiHostname,
  zoneId,
  dependsOn: [database.migrations],
  bindings: [
    { type: 'd1', name: dbBinding, id: database.databaseId },
    secretText('AUTH0_DOMAIN', auth0Domain),
    secretText('AUTH0_AUDIENCE', todosApiAuth0.identifier),
  ],
});

const cookieKey = new random.RandomBytes('cookie-encryption-key', { length: 32 });

const mcpWorker = new Worker('mcp-server-worker', {
  accountId,
  scriptName: mcpScriptName,
  workerDir: mcpServerDir,
  bundleDir: path.join(repoRoot, '.bundles', 'pulumi', 'mcp-server'),
  config: mcpServerConfig,
  cloudCompatibilityFlags: mcpServer.cloudCompatibilityFlags,
  migrations: doMigrations(mcpScriptName, mcpServerConfig),
  workersDevSubdomain: subdomain,
  hostname: config.mcpServerHostname,
  zoneId,
  dependsOn: [auditDatabase.migrations],
  bindings: [
    { type: 'kv_namespace', name: mcpServer.kv.binding, namespaceId: kv.id },
    { type: 'd1', name: auditDbBinding, id: auditDatabase.databaseId },
    { type: 'service', name: mcpServer.todosApiBinding, service: todosWorker.scriptName },
    // Workers Rate Limiting: the limits of system.ts (wrangler.jsonc carries the same, for local mode).
    ...Object.values(mcpRateLimits).map(({ binding, namespaceId, limit, period }) => ({
      type: 'ratelimit',
      name: binding,
      namespaceId,
      simple: { limit, period },
    })),
    ...mcpServerConfig.durableObjects.map((d) => ({ type: 'durable_object_namespace', name: d.name, className: d.className })),
    secretText('AUTH0_DOMAIN', auth0Domain),
    secretText('AUTH0_CLIENT_ID', mcpApp.clientId),
    secretText('AUTH0_CLIENT_SECRET', mcpApp.clientSecret),
    secretText('AUTH0_AUDIENCE', todosApiAuth0.identifier),
    secretText('AUTH0_SCOPE', upstreamScopeFor(config.userPermissions)),
    secretText('API_BASE_URL', todosWorker.url),
    secretText('COOKIE_ENCRYPTION_KEY', cookieKey.hex),
    // The canonical origin tokens are bound to: the custom domain when set, so workers.dev can't mint a second audience.
    { type: 'plain_text', name: 'MCP_SERVER_URL', text: mcpServerUrl },
  ],
});

// The Worker's scheduled handler: the audit log's retention purge (daily) and the OAuth housekeeping (hourly).
new cloudflare.WorkersCronTrigger('mcp-audit-purge', {
  accountId,
  scriptName: mcpWorker.scriptName,
  schedules: [{ cron: mcpServer.auditDatabase.purgeCron }, { cron: mcpServer.oauthHousekeepingCron }],
});

// --- Outputs ---
const mcpUrl = pulumi.interpolate`${mcpWorker.url}${mcpServer.paths.mcp}`;
export const mcpServerBaseUrl = mcpWorker.url;
export const mcpEndpoint = mcpUrl;
export const sseEndpoint = pulumi.interpolate`${mcpWorker.url}${mcpServer.paths.sse}`;
export const todosApiUrl = todosWorker.url;
export const auth0CallbackUrl = mcpApp.callbackUrl;
export const auth0ClientId = mcpApp.clientId;
export const todosApiAudience = todosApiAuth0.identifier;
export const d1DatabaseId = database.databaseId;
export const kvNamespaceId = kv.id;
export const auditDatabaseId = auditDatabase.databaseId;
/** Where users see and disconnect their connected apps and their recent tool calls. */
export const accountPageUrl = pulumi.interpolate`${mcpWorker.url}${mcpServer.accountPath}`;
export const testAppClientId = testApp.clientId;
export const testAppClientSecret = testApp.clientSecret;
/** Paste into claude_desktop_config.json: Claude Desktop reaches the remote server through the mcp-remote bridge. */
export const claudeDesktopConfig = mcpUrl.apply((url) =>
  JSON.stringify({ mcpServers: { 'todos-remote': { command: 'npx', args: ['-y', 'mcp-remote', url] } } }, null, 2),
);
export const mcpInspectorCommand = pulumi.interpolate`npx @modelcontextprotocol/inspector  # then connect to ${mcpUrl} (transport: Streamable HTTP)`;
