// Applies the real todos-api migrations through a loopback stand-in of the D1 query API backed by SQLite.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyD1Migrations, readMigrationFiles } from '../d1-migrations.js';
import { type FakeD1Api, startFakeD1Api } from './support/fake-d1-api.js';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workers/todos-api/migrations');
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const DB_ID = '11111111-2222-3333-4444-555555555555';
const TOKEN = 'test-token';

let api: FakeD1Api;
let base: string;
let db: FakeD1Api['db'];

beforeAll(async () => {
  api = await startFakeD1Api({ accountId: ACCOUNT, databaseId: DB_ID, token: TOKEN });
  base = api.baseUrl;
  db = api.db;
});
afterAll(() => api.close());

const options = (overrides: Partial<Parameters<typeof applyD1Migrations>[0]> = {}) => ({
  apiBaseUrl: base,
  accountId: ACCOUNT,
  databaseId: DB_ID,
  apiToken: TOKEN,
  migrations: readMigrationFiles(migrationsDir),
  ...overrides,
});

describe('D1 migrations over the query API', () => {
  it('reads the migration files in order with content hashes', () => {
    const files = readMigrationFiles(migrationsDir);
    expect(files.map((f) => f.name)).toEqual(['0001_init.sql']);
    expect(files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies pending migrations once and records them in d1_migrations like wrangler', async () => {
    expect(await applyD1Migrations(options())).toEqual(['0001_init.sql']);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(tables).toContain('d1_migrations');
    expect(tables.length).toBeGreaterThan(2);
    expect(db.prepare('SELECT name FROM d1_migrations').all()).toEqual([{ name: '0001_init.sql' }]);
    // A second up with no new file changes nothing.
    expect(await applyD1Migrations(options())).toEqual([]);
  });

  it('applies only a newly added migration on a later update', async () => {
    const added = { name: '0002_add_index_test.sql', sql: 'CREATE TABLE migration_probe (id INTEGER);', sha256: 'x' };
    expect(await applyD1Migrations(options({ migrations: [...readMigrationFiles(migrationsDir), added] }))).toEqual([added.name]);
    expect(db.prepare('SELECT count(*) AS n FROM d1_migrations').get()).toEqual({ n: 2 });
  });

  it('does not record a migration whose SQL fails, and says which database failed', async () => {
    const broken = { name: '0003_broken.sql', sql: 'CREATE TABLE (;', sha256: 'y' };
    await expect(applyD1Migrations(options({ migrations: [broken] }))).rejects.toThrow(`D1 query on database ${DB_ID} failed`);
    expect(db.prepare("SELECT count(*) AS n FROM d1_migrations WHERE name = '0003_broken.sql'").get()).toEqual({ n: 0 });
  });

  it('reports an API token without access clearly', async () => {
    await expect(applyD1Migrations(options({ apiToken: 'wrong' }))).rejects.toThrow(/Authentication error/);
  });
});
