// Applies a Worker's D1 migrations to the local database, recording them in wrangler's migrations table.
import type { D1MigrationPlan } from './prepare-worker.js';

/** The slice of Miniflare's D1 binding this needs (kept minimal so it is easy to satisfy from Node). */
export interface D1Like {
  prepare(query: string): { all<T = unknown>(): Promise<{ results: T[] }>; bind(...values: unknown[]): unknown };
  batch(statements: unknown[]): Promise<unknown>;
  exec(query: string): Promise<unknown>;
}

/**
 * Apply every migration not yet listed in the migrations table, in file-name order, each atomically together
 * with its record (as `wrangler d1 migrations apply --local` does), so `wrangler d1 migrations list --local`
 * and this stack agree on what is applied. Returns the names applied now.
 */
export async function applyD1Migrations(db: D1Like, plan: D1MigrationPlan): Promise<string[]> {
  const table = `"${plan.migrationsTable.replace(/"/g, '""')}"`;
  // Same shape as wrangler's table so either tool can take over the database.
  await db.exec(
    `CREATE TABLE IF NOT EXISTS ${table}(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);`,
  );
  const { results } = await db.prepare(`SELECT name FROM ${table} ORDER BY id`).all<{ name: string }>();
  const applied = new Set(results.map((row) => row.name));

  const appliedNow: string[] = [];
  for (const migration of plan.migrations) {
    if (applied.has(migration.name)) continue;
    const statements = [
      ...migration.statements.map((sql) => db.prepare(sql)),
      db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).bind(migration.name),
    ];
    try {
      await db.batch(statements);
    } catch (error) {
      throw new Error(`D1 migration ${migration.name} (binding ${plan.binding}) failed: ${(error as Error).message}`, { cause: error });
    }
    appliedNow.push(migration.name);
  }
  return appliedNow;
}
