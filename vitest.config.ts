// One test run for the whole repository: each area owns a vitest project config next to its code.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['workers/*/vitest.config.ts', 'scripts/*/vitest.config.ts', 'infra/vitest.config.ts', 'test/vitest.config.ts'],
  },
});
