// Vitest project for the system description and the stack config model: plain Node tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'system',
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
