// Vitest project of the MCP server: tests run inside workerd against the real Worker (OAuth provider, KV, Durable Objects).
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testBindings } from './test/support/test-bindings.js';

// Secrets come from test/support/test-bindings.ts; the IdP is faked in-isolate (test/support/fake-idp-token-endpoint.ts).
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: testBindings,
        // The Todos API is faked per test (test/mcp/support/fake-todos-api.ts); the binding only has to exist.
        serviceBindings: { TODOS_API: () => new Response('no Todos API in this test run', { status: 503 }) },
      },
    }),
  ],
  test: {
    name: 'mcp-server',
    include: ['test/**/*.test.ts'],
    // Cold module loads inside workerd take seconds on a busy 2-core CI machine.
    testTimeout: 30_000,
  },
});
