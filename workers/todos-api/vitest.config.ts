// Vitest project of the Todos API: tests run inside workerd with real D1 (migrations applied) and the real Worker.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/** Issuer of the tests' tokens; its JWKS is served by the tests' fetch interceptor (test/support/fake-idp-jwks.ts). */
const testIssuer = 'https://idp.todos-api.test/';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(decodeURIComponent(new URL('./migrations', import.meta.url).pathname));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.jsonc' },
        miniflare: {
          bindings: { TEST_MIGRATIONS: migrations, AUTH0_ISSUER: testIssuer },
        },
      }),
    ],
    test: {
      name: 'todos-api',
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/support/apply-migrations.ts'],
      // Cold module loads inside workerd take seconds on a busy 2-core CI machine.
      testTimeout: 30_000,
    },
  };
});
