// Test-only Worker configuration, shared by vitest.config.ts (miniflare bindings) and the tests. Throwaway values.

/** The issuer is never contacted over the network: test/support/fake-idp-token-endpoint.ts answers for it. */
export const testBindings = {
  AUTH0_DOMAIN: 'idp.mcp-server.test',
  AUTH0_ISSUER: 'https://idp.mcp-server.test/',
  AUTH0_CLIENT_ID: 'mcp-test-client',
  AUTH0_CLIENT_SECRET: 'mcp-test-client-secret',
  COOKIE_ENCRYPTION_KEY: 'test-cookie-key-0123456789abcdef0123456789abcdef',
  API_BASE_URL: 'https://todos-api.mcp-server.test',
  // A stack whose users may grant every permission (userPermissions = all), so the tests can exercise opt-in
  // billing; least-privilege.test.ts also runs the default ceiling (read and write only).
  AUTH0_SCOPE: 'openid email profile offline_access read:todos write:todos read:billing',
} as const;
