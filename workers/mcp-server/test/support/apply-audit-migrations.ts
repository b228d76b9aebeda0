// Vitest setup file: applies the audit log's D1 migrations (read on the Node side in vitest.config.ts) to the test database.
// It reads `env` from cloudflare:workers, not cloudflare:test: importing cloudflare:test here loads the Worker's modules
// before the test files' vi.mock() calls, which then no longer apply.
import { env } from 'cloudflare:workers';

// TEST_AUDIT_MIGRATIONS is a test-only binding, so it is not part of the Worker's Env.
const { TEST_AUDIT_MIGRATIONS, AUDIT_DB } = env as unknown as { TEST_AUDIT_MIGRATIONS: { queries: string[] }[]; AUDIT_DB: D1Database };
const { results } = await AUDIT_DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").all();
if (results.length === 0) {
  for (const migration of TEST_AUDIT_MIGRATIONS) await AUDIT_DB.batch(migration.queries.map((query) => AUDIT_DB.prepare(query)));
}
