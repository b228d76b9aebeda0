// Fake grant props and handler contexts for calling the MCP handlers directly, as the OAuth provider would.

import type { McpHandlerContext } from '../../../src/mcp/mcp-request-auth.js';
import type { McpProps } from '../../../src/props.js';

/** Upstream access token the fake Todos API accepts with read:todos + write:todos. */
export const ALICE_UPSTREAM_TOKEN = 'upstream-access-token-alice';
export const BOB_UPSTREAM_TOKEN = 'upstream-access-token-bob';
/** Refresh/ID tokens: present in props, and must never appear in any tool output. */
export const SECRET_TOKENS = ['upstream-refresh-token-alice', 'upstream-id-token-alice', 'upstream-refresh-token-bob'];

export function aliceProps(overrides: Partial<McpProps['upstream']> = {}): McpProps {
  return {
    claims: { sub: 'auth0|alice', email: 'alice@example.com', email_verified: true, name: 'Alice Example' },
    upstream: {
      accessToken: ALICE_UPSTREAM_TOKEN,
      refreshToken: 'upstream-refresh-token-alice',
      idToken: 'upstream-id-token-alice',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      scope: 'openid email profile offline_access read:todos write:todos',
      ...overrides,
    },
    grantKey: 'grant-alice',
  };
}

export function bobProps(): McpProps {
  return {
    claims: { sub: 'auth0|bob', email: 'bob@example.com' },
    upstream: {
      accessToken: BOB_UPSTREAM_TOKEN,
      refreshToken: 'upstream-refresh-token-bob',
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      scope: 'openid read:todos',
    },
    grantKey: 'grant-bob',
  };
}

/** The provider's ctx.auth for a valid MCP token of this test server (https://mcp.example.test). */
export function testAuth(scope: string[] = ['read:todos', 'write:todos']): McpHandlerContext['auth'] {
  return {
    token: 'auth0|alice:grant-1:secret',
    audience: 'https://mcp.example.test',
    scope,
    userId: 'auth0|alice',
    clientId: 'test-mcp-client',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
}

/** An execution context carrying `props`, collecting waitUntil promises so tests can await them. */
export function handlerContext(props: McpProps, endGrant?: () => Promise<void>): McpHandlerContext & { settle(): Promise<void> } {
  const pending: Promise<unknown>[] = [];
  return {
    props,
    ...(endGrant ? { endGrant } : {}),
    // A grant holding every permission: these tests reach the tools and the Todos API's own scope checks
    // (scope-challenge.test.ts covers a grant that lacks one).
    auth: testAuth(['read:todos', 'write:todos', 'read:billing']),
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    passThroughOnException: () => {},
    async settle() {
      await Promise.allSettled(pending);
    },
  } as unknown as McpHandlerContext & { settle(): Promise<void> };
}
