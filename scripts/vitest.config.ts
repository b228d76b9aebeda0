// Vitest project for the developer-machine tooling: the entry points (doctor, pulumi) and the Worker bundler.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'scripts',
    environment: 'node',
    // Repository root, so paths resolve as they do for `npm run`.
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['scripts/test/**/*.test.ts', 'scripts/build/test/**/*.test.ts', 'scripts/local-stack/test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
