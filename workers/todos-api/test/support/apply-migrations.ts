// Vitest setup file: applies the Worker's D1 migrations (read on the Node side in vitest.config.ts) to the test database.
import { applyD1Migrations, type D1Migration, env } from 'cloudflare:test';

// TEST_MIGRATIONS is a test-only binding, so it is not part of the Worker's Env.
const { TEST_MIGRATIONS } = env as unknown as { TEST_MIGRATIONS: D1Migration[] };
await applyD1Migrations(env.DB, TEST_MIGRATIONS);
