// Runs the Pulumi program under Pulumi's mocks and asserts the resource graph, bindings, secrets and outputs.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { allTodosPermissions, mcpRateLimits, mcpServer, pulumiProject, auth0 as tenant, todosApi } from '../../system/system.js';
import { type FakeCloudflareApi, startFakeCloudflareApi } from './support/fake-cloudflare-api.js';
import { startFakeD1Api } from './support/fake-d1-api.js';
import { type ProgramRun, type RecordedResource, runProgram } from './support/program-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Where Pulumi runs the provider plugins (the directory of Pulumi.yaml's `main`), so where contentFile resolves.
const infraDir = path.resolve(here, '..');

// The real wrangler build, once per Worker for this file, into .bundles/pulumi-test/ (see cached-bundle-worker.ts).
vi.mock('../../scripts/build/bundle-worker.js', async (importOriginal) =>
  (await import('./support/cached-bundle-worker.js')).cachedBundleWorker(await importOriginal(), 'pulumi-test'),
);

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const BASE = {
  auth0Domain: 'example.us.auth0.com',
  cloudflareAccountId: ACCOUNT,
  workersDevSubdomain: 'test-sub',
};

// The program asks the Cloudflare API (through the provider's baseUrl/apiToken) for the live migration tag.
let cfApi: FakeCloudflareApi;
beforeAll(async () => {
  cfApi = await startFakeCloudflareApi(ACCOUNT);
});
afterAll(() => cfApi.close());

async function run(config: Record<string, string>): Promise<ProgramRun> {
  vi.resetModules();
  return runProgram(
    { 'cloudflare:baseUrl': cfApi.baseUrl, 'cloudflare:apiToken': cfApi.token, ...config },
    () => import('../index.js') as Promise<Record<string, unknown>>,
  );
}

const ofType = (r: ProgramRun, type: string) => r.resources.filter((x) => x.type === type);
const one = (r: ProgramRun, type: string): RecordedResource => {
  const found = ofType(r, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
type Binding = { type: string; name: string; [k: string]: unknown };
const script = (r: ProgramRun, scriptName: string) => {
  const s = ofType(r, 'cloudflare:index/workersScript:WorkersScript').find((x) => x.inputs.scriptName === scriptName);
  expect(s, scriptName).toBeDefined();
  return s!;
};
const bindings = (s: RecordedResource) => s.inputs.bindings as Binding[];
const wrangler = (worker: string) =>
  parseJsonc(readFileSync(path.join(here, '..', '..', 'workers', worker, 'wrangler.jsonc'), 'utf8')) as {
    compatibility_date: string;
    compatibility_flags: string[];
    migrations: { new_sqlite_classes: string[] }[];
  };

describe('Pulumi program (workers.dev)', () => {
  let r: ProgramRun;
  beforeAll(async () => {
    r = await run(BASE);
  }, 60_000);

  it('creates every resource type of the system', () => {
    const types = new Set(r.resources.map((x) => x.type));
    for (const t of [
      `${pulumiProject}:auth0:TodosApi`,
      `${pulumiProject}:auth0:McpServerApp`,
      `${pulumiProject}:auth0:TodosApiTestApp`,
      `${pulumiProject}:cloudflare:Worker`,
      `${pulumiProject}:cloudflare:TodosDatabase`,
      `${pulumiProject}:auth0:PermissionCeiling`,
      'auth0:index/action:Action',
      'auth0:index/triggerAction:TriggerAction',
      'auth0:index/resourceServer:ResourceServer',
      'auth0:index/resourceServerScopes:ResourceServerScopes',
      'auth0:index/client:Client',
      'auth0:index/clientCredentials:ClientCredentials',
      'auth0:index/connectionClient:ConnectionClient',
      'auth0:index/clientGrant:ClientGrant',
      'cloudflare:index/workersKvNamespace:WorkersKvNamespace',
      'cloudflare:index/d1Database:D1Database',
      'pulumi-nodejs:dynamic:Resource',
      'cloudflare:index/workersScript:WorkersScript',
      'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain',
      'random:index/randomBytes:RandomBytes',
    ]) {
      expect(types, t).toContain(t);
    }
    expect(types).not.toContain('auth0:index/connectionClients:ConnectionClients');
    // TriggerActions would own the tenant's whole post-login flow and detach other Actions.
    expect(types).not.toContain('auth0:index/triggerActions:TriggerActions');
    expect(types).not.toContain('cloudflare:index/workersCustomDomain:WorkersCustomDomain');
  });

  it('defines the Todos API with consent deciding (RBAC off, no role to assign) and offline access', () => {
    const api = one(r, 'auth0:index/resourceServer:ResourceServer').inputs;
    expect(api).toMatchObject({
      name: todosApi.name,
      identifier: 'urn:todos-api',
      signingAlg: 'RS256',
      allowOfflineAccess: true,
      enforcePolicies: false,
      tokenDialect: 'access_token',
    });
    const scopes = one(r, 'auth0:index/resourceServerScopes:ResourceServerScopes').inputs;
    expect(scopes.resourceServerIdentifier).toBe('urn:todos-api');
    expect(scopes.scopes).toEqual(todosApi.permissions.map((p) => ({ name: p.value, description: p.description })));
  });

  it('registers the MCP server as a regular web app whose callback is built from the Worker URL', () => {
    const app = ofType(r, 'auth0:index/client:Client').find((c) => c.inputs.name === mcpServer.appName)!;
    expect(app.inputs).toMatchObject({
      appType: 'regular_web',
      oidcConformant: true,
      callbacks: ['https://mcp-auth0-oidc.test-sub.workers.dev/callback'],
      allowedLogoutUrls: ['https://mcp-auth0-oidc.test-sub.workers.dev', 'https://mcp-auth0-oidc.test-sub.workers.dev/account/signed-out'],
      grantTypes: ['authorization_code', 'refresh_token'],
      refreshToken: { rotationType: 'rotating', expirationType: 'expiring' },
    });
    const creds = ofType(r, 'auth0:index/clientCredentials:ClientCredentials');
    expect(creds.map((c) => c.inputs.authenticationMethod)).toEqual(['client_secret_post', 'client_secret_post']);
    expect(creds.find((c) => c.inputs.clientId === 'client-id-mcp-server-app-client')).toBeDefined();
  });

  it('enables the database connection for the MCP app with ConnectionClient', () => {
    expect(r.invokes.find((i) => i.token === 'auth0:index/getConnection:getConnection')?.args).toMatchObject({
      name: tenant.databaseConnection,
    });
    expect(one(r, 'auth0:index/connectionClient:ConnectionClient').inputs).toEqual({
      connectionId: 'con_database',
      clientId: 'client-id-mcp-server-app-client',
    });
  });

  it('creates the M2M test app with a grant on every permission', () => {
    const app = ofType(r, 'auth0:index/client:Client').find((c) => c.inputs.name === tenant.testAppName)!;
    expect(app.inputs).toMatchObject({ appType: 'non_interactive', grantTypes: ['client_credentials'] });
    expect(one(r, 'auth0:index/clientGrant:ClientGrant').inputs).toEqual({
      clientId: 'client-id-todos-api-test-app-client',
      audience: 'urn:todos-api',
      scopes: [...allTodosPermissions],
    });
  });

  it('caps user tokens at the default grantable permissions with a deployed post-login Action', () => {
    const action = one(r, 'auth0:index/action:Action').inputs;
    expect(action).toMatchObject({ runtime: 'node22', deploy: true, supportedTriggers: { id: 'post-login', version: 'v3' } });
    expect(action.code).toContain('const AUDIENCE = "urn:todos-api"');
    expect(action.code).toContain('const NOT_GRANTABLE = ["read:billing"]');
    expect(one(r, 'auth0:index/triggerAction:TriggerAction').inputs).toEqual({
      trigger: 'post-login',
      actionId: 'user-permission-ceiling-action-id',
    });
    const scope = bindings(script(r, mcpServer.workerName)).find((b) => b.name === 'AUTH0_SCOPE');
    expect(scope?.text).toBe(mcpServer.scope);
  });

  it('protects nothing in a dev stack, so destroy removes everything', () => {
    expect(r.resources.filter((x) => x.protect || x.retainOnDelete).map((x) => x.name)).toEqual([]);
  });

  it('binds the rate limits of system.ts to the MCP server and schedules both cron triggers', () => {
    const mcp = ofType(r, 'cloudflare:index/workersScript:WorkersScript').find((x) => x.inputs.scriptName === mcpServer.workerName)!;
    const limits = bindings(mcp).filter((b) => b.type === 'ratelimit');
    expect(limits).toEqual(
      Object.values(mcpRateLimits).map(({ binding, namespaceId, limit, period }) => ({
        type: 'ratelimit',
        name: binding,
        namespaceId,
        simple: { limit, period },
      })),
    );
    const crons = one(r, 'cloudflare:index/workersCronTrigger:WorkersCronTrigger').inputs.schedules as { cron: string }[];
    expect(crons.map((c) => c.cron)).toEqual([mcpServer.auditDatabase.purgeCron, mcpServer.oauthHousekeepingCron]);
  });

  it('creates KV and D1 and applies the D1 migrations from the Worker folder', () => {
    expect(one(r, 'cloudflare:index/workersKvNamespace:WorkersKvNamespace').inputs).toMatchObject({ title: mcpServer.kv.title });
    const databases = ofType(r, 'cloudflare:index/d1Database:D1Database').map((d) => d.inputs.name);
    expect(databases.sort()).toEqual([mcpServer.auditDatabase.name, todosApi.database.name].sort());
    const migrations = ofType(r, 'pulumi-nodejs:dynamic:Resource').find((m) => m.name === 'todos-db-migrations')!;
    expect(migrations.inputs.databaseId).toBe('11111111-2222-3333-4444-555555555555');
    expect(migrations.inputs.apiBaseUrl).toBe(cfApi.baseUrl);
    expect((migrations.inputs.migrations as { name: string; sha256: string }[]).map((m) => m.name)).toEqual(['0001_init.sql']);
    expect(migrations.secretInputs).toContain('apiToken');
    // The provider code was serialised into the resource (what the engine runs at up), applying over the D1 API.
    expect(String(migrations.inputs.__provider)).toContain('d1_migrations');
  });

  it('runs the D1 migrations provider from its serialised text in a fresh Node, as the dynamic-provider host does', async () => {
    // Both databases' migrations run on the same serialised provider; the Todos API's stands for both.
    const migrations = ofType(r, 'pulumi-nodejs:dynamic:Resource').find((m) => m.name === 'todos-db-migrations')!;
    const { __provider: provider, ...recorded } = migrations.inputs;
    const databaseId = String(recorded.databaseId);
    const d1 = await startFakeD1Api({ accountId: ACCOUNT, databaseId, token: 'd1-token' });
    const dir = await mkdtemp(path.join(tmpdir(), 'dynamic-provider-'));
    try {
      // The engine sends plain values (the host does not accept secrets) and the provider's own serialised text.
      const inputs = { ...recorded, apiBaseUrl: d1.baseUrl, apiToken: 'd1-token' };
      const added = { name: '0002_probe.sql', sql: 'CREATE TABLE probe (id INTEGER);', sha256: 'a'.repeat(64) };
      const updatedInputs = { ...inputs, migrations: [...(recorded.migrations as unknown[]), added] };
      const job = path.join(dir, 'job.json');
      await writeFile(job, JSON.stringify({ provider, inputs, updatedInputs }));
      const { stdout } = await promisify(execFile)(
        path.join(infraDir, '..', 'node_modules', '.bin', 'node'),
        [path.join(here, 'support', 'dynamic-provider-host.mjs'), job],
        // Where Pulumi runs the host: the directory of `main`.
        { cwd: infraDir, timeout: 30_000 },
      );
      const steps = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(steps.check).toEqual([]);
      expect(steps.create).toEqual({ id: `${databaseId}:migrations`, applied: ['0001_init.sql'] });
      expect(steps.diff).toMatchObject({ changes: true, replaces: [] });
      expect(steps.update).toEqual({ applied: ['0001_init.sql', '0002_probe.sql'] });
      expect(steps.diffAfterUpdate).toMatchObject({ changes: false });
      expect(steps.editedCheck).toMatch(/D1 migration 0001_init\.sql was changed after it was applied/);
      expect(steps.delete).toBe('ok');
      expect(d1.db.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).toEqual([
        { name: '0001_init.sql' },
        { name: '0002_probe.sql' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await d1.close();
    }
  });

  it('uploads both bundles by file and hash with compatibility settings from wrangler.jsonc', () => {
    for (const [worker, scriptName, cloudOnlyFlags] of [
      ['todos-api', todosApi.workerName, []],
      // CIMD needs global_fetch_strictly_public in the cloud; wrangler.jsonc leaves it out for the loopback IdP.
      ['mcp-server', mcpServer.workerName, ['global_fetch_strictly_public']],
    ] as const) {
      const s = script(r, scriptName).inputs;
      const w = wrangler(worker);
      expect(s.compatibilityDate).toBe(w.compatibility_date);
      expect(s.compatibilityFlags).toEqual([...w.compatibility_flags, ...cloudOnlyFlags]);
      expect(w.compatibility_flags).not.toContain('global_fetch_strictly_public');
      expect(s.mainModule).toBe('index.js');
      // Relative to the provider's working directory (infra/), so the stored input is the same on every checkout.
      expect(s.contentFile).toBe(`../.bundles/pulumi-test/${worker}/index.js`);
      // What terraform-provider-cloudflare's content_sha256 validator recomputes: the raw bytes of the file it opens.
      const uploaded = readFileSync(path.resolve(infraDir, String(s.contentFile)));
      expect(s.contentSha256).toBe(createHash('sha256').update(uploaded).digest('hex'));
      expect(s.content).toBeUndefined();
    }
    const subdomains = ofType(r, 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain');
    expect(subdomains.map((s) => [s.inputs.scriptName, s.inputs.enabled]).sort()).toEqual([
      [mcpServer.workerName, true],
      [todosApi.workerName, true],
    ]);
  });

  it('binds KV, the Todos API service and the Durable Objects (with their migration) to the MCP server', () => {
    const s = script(r, mcpServer.workerName);
    const b = bindings(s);
    expect(b).toContainEqual({ type: 'kv_namespace', name: 'OAUTH_KV', namespaceId: 'mcp-oauth-kv-id' });
    expect(b).toContainEqual({ type: 'service', name: 'TODOS_API', service: todosApi.workerName });
    expect(b).toContainEqual({ type: 'durable_object_namespace', name: 'MCP_SSE_SESSION', className: 'McpSseSession' });
    expect(b).toContainEqual({ type: 'durable_object_namespace', name: 'UPSTREAM_TOKENS', className: 'UpstreamTokenStore' });
    expect(s.inputs.migrations).toMatchObject({
      newTag: 'v1',
      steps: [{ newSqliteClasses: wrangler('mcp-server').migrations[0]?.new_sqlite_classes }],
    });
    expect(bindings(script(r, todosApi.workerName))).toContainEqual({ type: 'd1', name: 'DB', id: '11111111-2222-3333-4444-555555555555' });
  });

  it('passes configuration as secret_text bindings that stay Pulumi secrets', () => {
    const mcp = script(r, mcpServer.workerName);
    const secrets = Object.fromEntries(
      bindings(mcp)
        .filter((b) => b.type === 'secret_text')
        .map((b) => [b.name, b.text]),
    );
    expect(secrets).toEqual({
      AUTH0_DOMAIN: 'example.us.auth0.com',
      AUTH0_CLIENT_ID: 'client-id-mcp-server-app-client',
      AUTH0_CLIENT_SECRET: 'mock-secret:mcp-server-app-credentials',
      AUTH0_AUDIENCE: 'urn:todos-api',
      AUTH0_SCOPE: mcpServer.scope,
      API_BASE_URL: 'https://todos-api.test-sub.workers.dev',
      COOKIE_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    // The SDK marks the whole bindings list secret on the wire (and in the state) when any binding holds a secret.
    expect(mcp.secretPaths).toContain('bindings');
    const todos = script(r, todosApi.workerName);
    expect(
      bindings(todos)
        .filter((b) => b.type === 'secret_text')
        .map((b) => b.name)
        .sort(),
    ).toEqual(['AUTH0_AUDIENCE', 'AUTH0_DOMAIN']);
    expect(todos.secretInputs).toContain('bindings');
  });

  it('exports the URLs and client configs, with credentials only as secrets', () => {
    expect(r.outputs).toMatchObject({
      mcpEndpoint: 'https://mcp-auth0-oidc.test-sub.workers.dev/mcp',
      sseEndpoint: 'https://mcp-auth0-oidc.test-sub.workers.dev/sse',
      todosApiUrl: 'https://todos-api.test-sub.workers.dev',
      auth0ClientId: 'client-id-mcp-server-app-client',
      testAppClientId: 'client-id-todos-api-test-app-client',
    });
    expect(JSON.parse(String(r.outputs.claudeDesktopConfig))).toEqual({
      mcpServers: { 'todos-remote': { command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp-auth0-oidc.test-sub.workers.dev/mcp'] } },
    });
    expect(r.outputs.mcpInspectorCommand).toContain('npx @modelcontextprotocol/inspector');
    expect(r.secretOutputs).toEqual(['testAppClientSecret']);
    const plain = JSON.stringify(Object.entries(r.outputs).filter(([k]) => !r.secretOutputs.includes(k)));
    for (const secret of ['mock-secret:', 'ab'.repeat(32)]) expect(plain).not.toContain(secret);
  });
});

describe('Pulumi program: the account page and its audit log', () => {
  let r: ProgramRun;
  beforeAll(async () => {
    r = await run(BASE);
  }, 60_000);

  it("provisions the MCP server's audit database with its migrations, and binds it", () => {
    expect(ofType(r, `${pulumiProject}:cloudflare:AuditDatabase`)).toHaveLength(1);
    const migrations = ofType(r, 'pulumi-nodejs:dynamic:Resource').find((m) => m.name === 'mcp-audit-db-migrations')!;
    expect((migrations.inputs.migrations as { name: string }[]).map((m) => m.name)).toEqual(['0001_audit_log.sql']);
    expect(migrations.secretInputs).toContain('apiToken');
    expect(bindings(script(r, mcpServer.workerName))).toContainEqual({
      type: 'd1',
      name: mcpServer.auditDatabase.binding,
      id: '11111111-2222-3333-4444-555555555555',
    });
  });

  it("adds the purge's cron trigger to the MCP server, as wrangler.jsonc declares it", () => {
    const trigger = one(r, 'cloudflare:index/workersCronTrigger:WorkersCronTrigger').inputs;
    expect(trigger).toMatchObject({ accountId: ACCOUNT, scriptName: mcpServer.workerName });
    const declared = (wrangler('mcp-server') as unknown as { triggers: { crons: string[] } }).triggers.crons;
    expect(trigger.schedules).toEqual(declared.map((cron) => ({ cron })));
  });

  it('exports the account page URL and lets Auth0 return to its signed-out page', () => {
    expect(r.outputs.accountPageUrl).toBe(`https://mcp-auth0-oidc.test-sub.workers.dev${mcpServer.accountPath}`);
    const app = ofType(r, 'auth0:index/client:Client').find((c) => c.inputs.name === mcpServer.appName)!;
    expect(app.inputs.allowedLogoutUrls).toEqual([
      'https://mcp-auth0-oidc.test-sub.workers.dev',
      'https://mcp-auth0-oidc.test-sub.workers.dev/account/signed-out',
    ]);
    // The Auth0 app keeps one callback URL: the account login shares /callback with the MCP login.
    expect(app.inputs.callbacks).toEqual(['https://mcp-auth0-oidc.test-sub.workers.dev/callback']);
  });
});

describe('Pulumi program variants', () => {
  it('uses custom domains for URLs and the Auth0 callback when hostnames are set', async () => {
    const r = await run({ ...BASE, mcpServerHostname: 'mcp.example.com', todosApiHostname: 'todos.example.com' });
    const domains = ofType(r, 'cloudflare:index/workersCustomDomain:WorkersCustomDomain').map((d) => [
      d.inputs.hostname,
      d.inputs.service,
      d.inputs.zoneId,
    ]);
    // The zone is looked up on the account from the hostnames (mcp.example.com -> example.com).
    expect(domains.sort()).toEqual([
      ['mcp.example.com', mcpServer.workerName, 'zone-id-of-example.com'],
      ['todos.example.com', todosApi.workerName, 'zone-id-of-example.com'],
    ]);
    expect(r.invokes.find((i) => i.token === 'cloudflare:index/getZone:getZone')?.args).toEqual({
      filter: { name: 'example.com', account: { id: ACCOUNT } },
    });
    // One public origin per Worker: workers.dev is off where a custom domain serves it.
    const subdomains = ofType(r, 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain');
    expect(subdomains.map((s) => [s.inputs.scriptName, s.inputs.enabled, s.inputs.previewsEnabled]).sort()).toEqual([
      [mcpServer.workerName, false, false],
      [todosApi.workerName, false, false],
    ]);
    const app = ofType(r, 'auth0:index/client:Client').find((c) => c.inputs.name === mcpServer.appName)!;
    expect(app.inputs.callbacks).toEqual(['https://mcp.example.com/callback']);
    expect(r.outputs.mcpEndpoint).toBe('https://mcp.example.com/mcp');
    const api = bindings(script(r, mcpServer.workerName)).find((b) => b.name === 'API_BASE_URL');
    expect(api?.text).toBe('https://todos.example.com');
    const canonical = bindings(script(r, mcpServer.workerName)).find((b) => b.name === 'MCP_SERVER_URL');
    expect(canonical).toEqual({ type: 'plain_text', name: 'MCP_SERVER_URL', text: 'https://mcp.example.com' });
  }, 60_000);

  it('uses a configured zone id without a lookup, and keeps workers.dev for a Worker without a custom domain', async () => {
    const zone = 'fedcba9876543210fedcba9876543210';
    const r = await run({ ...BASE, mcpServerHostname: 'mcp.example.org', customDomainZone: zone });
    expect(one(r, 'cloudflare:index/workersCustomDomain:WorkersCustomDomain').inputs).toMatchObject({
      hostname: 'mcp.example.org',
      zoneId: zone,
    });
    expect(r.invokes.map((i) => i.token)).not.toContain('cloudflare:index/getZone:getZone');
    const enabled = Object.fromEntries(
      ofType(r, 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain').map((s) => [s.inputs.scriptName, s.inputs.enabled]),
    );
    expect(enabled).toEqual({ [mcpServer.workerName]: false, [todosApi.workerName]: true });
    expect(r.outputs.todosApiUrl).toBe('https://todos-api.test-sub.workers.dev');
  }, 60_000);

  it('lets users grant read:billing only when the stack opts in', async () => {
    const r = await run({ ...BASE, userPermissions: 'read:todos write:todos read:billing' });
    const scope = bindings(script(r, mcpServer.workerName)).find((b) => b.name === 'AUTH0_SCOPE');
    expect(scope?.text).toBe('openid email profile offline_access read:todos write:todos read:billing');
    expect(one(r, 'auth0:index/action:Action').inputs.code).toContain('const NOT_GRANTABLE = []');
  }, 60_000);

  it('runs the prod stack of Pulumi.prod.yaml: custom domains, workers.dev off, data resources protected', async () => {
    const prod = parseYaml(readFileSync(path.join(infraDir, '..', 'Pulumi.prod.yaml'), 'utf8')) as { config: Record<string, unknown> };
    const config = Object.fromEntries(Object.entries(prod.config).map(([k, v]) => [k, String(v)]));
    const r = await run({ ...BASE, ...config });
    expect(ofType(r, 'cloudflare:index/workersCustomDomain:WorkersCustomDomain')).toHaveLength(2);
    const mcpDev = ofType(r, 'cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain').find(
      (s) => s.inputs.scriptName === mcpServer.workerName,
    );
    expect(mcpDev?.inputs.enabled).toBe(false);
    expect(String(r.outputs.mcpEndpoint)).toBe(`https://${config[`${pulumiProject}:mcpServerHostname`]}/mcp`);
    const protectedTypes = r.resources.filter((x) => x.protect).map((x) => x.type);
    expect(protectedTypes.sort()).toEqual([
      'auth0:index/resourceServer:ResourceServer',
      // The Todos API's data and the MCP server's audit log.
      'cloudflare:index/d1Database:D1Database',
      'cloudflare:index/d1Database:D1Database',
      'cloudflare:index/workersKvNamespace:WorkersKvNamespace',
    ]);
    // Everything else (Workers, apps, the migrations record) is replaceable and stays deletable.
    expect(r.resources.filter((x) => x.retainOnDelete)).toEqual([]);
  }, 60_000);

  it('prefixes every name so stacks can share an account and a tenant', async () => {
    const r = await run({ ...BASE, namePrefix: 'pr-42' });
    const scripts = ofType(r, 'cloudflare:index/workersScript:WorkersScript').map((s) => s.inputs.scriptName);
    expect(scripts.sort()).toEqual(['pr-42-mcp-auth0-oidc', 'pr-42-todos-api']);
    const databases = ofType(r, 'cloudflare:index/d1Database:D1Database').map((d) => d.inputs.name);
    expect(databases.sort()).toEqual(['pr-42-mcp-audit-db', 'pr-42-todos-db']);
    expect(one(r, 'cloudflare:index/workersKvNamespace:WorkersKvNamespace').inputs.title).toBe('pr-42-mcp-oauth-kv');
    expect(one(r, 'auth0:index/resourceServer:ResourceServer').inputs.identifier).toBe('urn:todos-api:pr-42');
    expect(
      ofType(r, 'auth0:index/client:Client')
        .map((c) => c.inputs.name)
        .sort(),
    ).toEqual(['[pr-42] Remote MCP Server', '[pr-42] Todos API (Test Application)']);
    const b = bindings(script(r, 'pr-42-mcp-auth0-oidc'));
    expect(b).toContainEqual({ type: 'service', name: 'TODOS_API', service: 'pr-42-todos-api' });
    expect(b.find((x) => x.name === 'AUTH0_AUDIENCE')?.text).toBe('urn:todos-api:pr-42');
    expect(r.outputs.mcpEndpoint).toBe('https://pr-42-mcp-auth0-oidc.test-sub.workers.dev/mcp');
  }, 60_000);

  it('uploads no Durable Object migration to a script already at the last tag', async () => {
    cfApi.liveTags.set(mcpServer.workerName, 'v1');
    try {
      const r = await run(BASE);
      expect(script(r, mcpServer.workerName).inputs.migrations).toBeUndefined();
      expect(cfApi.requests).toContain(`GET /accounts/${ACCOUNT}/workers/services/${mcpServer.workerName}`);
    } finally {
      cfApi.liveTags.delete(mcpServer.workerName);
    }
  }, 60_000);

  it('looks up the workers.dev subdomain when it is not configured', async () => {
    const { workersDevSubdomain: _, ...withoutSubdomain } = BASE;
    const r = await run(withoutSubdomain);
    expect(r.outputs.mcpEndpoint).toBe('https://mcp-auth0-oidc.looked-up.workers.dev/mcp');
    const app = ofType(r, 'auth0:index/client:Client').find((c) => c.inputs.name === mcpServer.appName)!;
    expect(app.inputs.callbacks).toEqual(['https://mcp-auth0-oidc.looked-up.workers.dev/callback']);
    expect(r.secretOutputs).toEqual(['testAppClientSecret']);
  }, 60_000);

  it('stops before creating anything when a required key is missing', async () => {
    await expect(run({ auth0Domain: 'example.us.auth0.com' })).rejects.toThrow(new RegExp(`${pulumiProject}:cloudflareAccountId: missing`));
  });
});

describe('secretText', () => {
  it('wraps every value as a Pulumi secret, even a plain string', async () => {
    vi.resetModules();
    const pulumi = await import('@pulumi/pulumi');
    const { secretText } = await import('../cloudflare.js');
    const raw = secretText('AUTH0_SCOPE', 'openid') as { type: string; text: unknown };
    expect(raw.type).toBe('secret_text');
    expect(await pulumi.isSecret(raw.text as never)).toBe(true);
  });
});
