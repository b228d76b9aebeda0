// Applies the real todos-api migrations through a loopback stand-in of the D1 query API backed by SQLite.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyD1Migrations, readMigrationFiles } from '../d1-migrations.js';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workers/todos-api/migrations');
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const DB_ID = '11111111-2222-3333-4444-555555555555';
const TOKEN = 'test-token';

let server: Server;
let base: string;
let db: DatabaseSync;
const seen: string[] = [];

beforeAll(async () => {
  db = new DatabaseSync(':memory:');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return reply(403, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });
      if (req.method !== 'POST' || req.url !== `/accounts/${ACCOUNT}/d1/database/${DB_ID}/query`) {
        return reply(404, { success: false, errors: [{ code: 7003, message: 'No route for that URI' }] });
      }
      const { sql, params } = JSON.parse(body) as { sql: string; params: unknown[] };
      seen.push(sql);
      try {
        if (params.length > 0) throw new Error('params are only supported with a single statement');
        let results: unknown[] = [];
        if (/^\s*select/i.test(sql)) results = db.prepare(sql).all();
        else db.exec(sql);
        reply(200, { success: true, errors: [], messages: [], result: [{ results, success: true, meta: {} }] });
      } catch (error) {
        reply(400, { success: false, errors: [{ code: 7500, message: String((error as Error).message) }] });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  db.close();
});

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
