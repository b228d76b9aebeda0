// Vitest project for the local IdP: real oidc-provider on loopback ports 18791–18798, real Chromium for the login page.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'local-idp',
    environment: 'node',
    // Repository root, so test paths (test-artifacts/, scripts/token.ts) resolve as they do for `npm run`.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['scripts/local-idp/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
