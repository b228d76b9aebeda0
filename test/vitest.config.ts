// Vitest project for cross-component tests: the real local stack (workerd + local IdP) driven over HTTP.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['**/*.test.ts'],
    // Each file starts its own stack on fixed test ports: files must not overlap. The ports stay below 32768, out of
    // Linux's ephemeral range, where the other projects' port-0 servers (fake APIs) could take one first.
    fileParallelism: false,
    // Starting workerd and building bundles on a cold cache takes several seconds on 2 cores.
    hookTimeout: 120_000,
    testTimeout: 60_000,
  },
});
