// Vitest project for the Pulumi program: plain Node tests under mocks, plus the program loaded as Pulumi's runner loads it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'infra',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
