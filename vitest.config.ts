// One test run for the whole repository: each area owns a vitest project config next to its code.
import { defineConfig } from 'vitest/config';
import { wranglerOfflineEnv } from './scripts/build/wrangler-offline-env.js';

// Set before any project loads: the Workers' test pools and the local stack read wrangler's config through wrangler.
Object.assign(process.env, wranglerOfflineEnv);

export default defineConfig({
  test: {
    projects: [
      'system/vitest.config.ts',
      'workers/*/vitest.config.ts',
      'scripts/vitest.config.ts',
      'scripts/*/vitest.config.ts',
      'infra/vitest.config.ts',
      'test/vitest.config.ts',
    ],
  },
});
