// wrangler.jsonc must agree with system/system.ts, the single description of the system.
import { type ParseError, parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { mcpRateLimits, mcpServer, todosApi } from '../../../system/system.js';
import wranglerJsonc from '../wrangler.jsonc?raw';

interface WranglerConfig {
  name: string;
  dev: { port: number };
  compatibility_flags?: string[];
  vars: Record<string, string>;
  secrets: { required: string[] };
  kv_namespaces: { binding: string }[];
  services: { binding: string; service: string }[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  d1_databases: { binding: string; database_name: string; migrations_dir: string }[];
  ratelimits: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
  triggers: { crons: string[] };
}

const errors: ParseError[] = [];
const config = parse(wranglerJsonc, errors) as WranglerConfig;

describe('wrangler.jsonc', () => {
  it('should parse without errors', () => {
    expect(errors).toEqual([]);
  });

  it('should use the Worker name, dev port, audience and scope of system.ts', () => {
    expect(config.name).toBe(mcpServer.workerName);
    expect(config.dev.port).toBe(mcpServer.devPort);
    expect(config.vars.AUTH0_AUDIENCE).toBe(todosApi.identifier);
    expect(config.vars.AUTH0_SCOPE).toBe(mcpServer.scope);
  });

  it('should bind the KV namespace and the Todos API of system.ts', () => {
    expect(config.kv_namespaces.map((kv) => kv.binding)).toEqual([mcpServer.kv.binding]);
    expect(config.services).toEqual([{ binding: mcpServer.todosApiBinding, service: todosApi.workerName }]);
  });

  it('should bind the audit database and schedule its purge as system.ts names them', async () => {
    expect(config.d1_databases).toMatchObject([
      { binding: mcpServer.auditDatabase.binding, database_name: mcpServer.auditDatabase.name, migrations_dir: 'migrations' },
    ]);
    expect(config.triggers.crons).toContain(mcpServer.auditDatabase.purgeCron);
    const worker = (await import('../src/index.js')) as { default: { scheduled?: unknown } };
    expect(typeof worker.default.scheduled).toBe('function');
  });

  it('should declare the Durable Objects that src/index.ts exports', async () => {
    const worker = (await import('../src/index.js')) as Record<string, unknown>;
    for (const { class_name } of config.durable_objects.bindings) expect(typeof worker[class_name]).toBe('function');
  });

  it('should require every secret, and not block loopback fetches (CIMD flag is added only for cloud deploys)', () => {
    expect(config.secrets.required.sort()).toEqual([
      'API_BASE_URL',
      'AUTH0_CLIENT_ID',
      'AUTH0_CLIENT_SECRET',
      'AUTH0_DOMAIN',
      'COOKIE_ENCRYPTION_KEY',
    ]);
    expect(config.compatibility_flags ?? []).not.toContain('global_fetch_strictly_public');
  });

  it('should bind the rate limits of system.ts, and schedule its cron triggers', () => {
    expect(config.ratelimits).toEqual(
      Object.values(mcpRateLimits).map(({ binding, namespaceId, limit, period }) => ({
        name: binding,
        namespace_id: namespaceId,
        simple: { limit, period },
      })),
    );
    expect(config.triggers.crons).toEqual([mcpServer.auditDatabase.purgeCron, mcpServer.oauthHousekeepingCron]);
  });
});
