// Vitest project of the MCP server: tests run inside workerd against the real Worker (OAuth provider, KV, Durable Objects, D1).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testBindings } from './test/support/test-bindings.js';

// Secrets come from test/support/test-bindings.ts; the IdP is faked in-isolate (test/support/fake-idp-token-endpoint.ts).
export default defineConfig(async () => {
  // The audit log's migrations, applied to the test database by test/support/apply-audit-migrations.ts.
  const auditMigrations = await readD1Migrations(decodeURIComponent(new URL('./migrations', import.meta.url).pathname));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.jsonc' },
        miniflare: {
          bindings: { ...testBindings, TEST_AUDIT_MIGRATIONS: auditMigrations },
          // The Todos API is faked per test (test/mcp/support/fake-todos-api.ts); the binding only has to exist.
          serviceBindings: { TODOS_API: () => new Response('no Todos API in this test run', { status: 503 }) },
        },
      }),
    ],
    test: {
      name: 'mcp-server',
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/support/apply-audit-migrations.ts', './test/support/settle-after-response.ts'],
      // Cold module loads inside workerd take seconds on a busy 2-core CI machine.
      testTimeout: 30_000,
    },
  };
});
