// MCP end to end on the real local stack: the official v2 client pinned to 2026-07-28 on /mcp and POST /sse, 2025-11-25
// clients (initialize) on /mcp and legacy SSE, all through the real OAuth flow; 127.0.0.1 and foreign Origins refused.

import type { CallToolResult, Client as V2Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { mcpToolPermissions } from '../system/system.js';
import { localUser } from './support/fault-tools.js';
import { connectMcp, DriverOAuthProvider } from './support/mcp-oauth-driver.js';
import { callToolWithStepUp, connectPinned, type PinnedConnection, V2DriverProvider } from './support/mcp-v2-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files.
const ports = { mcp: 29788, api: 29789, idp: 29790 };

let testStack: TestStack;
let stack: LocalStack;

const alice = () => localUser(stack, 'alice');

function textOf(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

beforeAll(async () => {
  testStack = await startTestStack({ ports });
  stack = testStack.stack;
});

afterAll(async () => {
  await testStack?.dispose();
});

describe.each(['/mcp', '/sse'])('the v2 client pinned to 2026-07-28 on %s (POST: Streamable HTTP)', (path) => {
  let provider: V2DriverProvider;
  let connection: PinnedConnection;
  let client: V2Client;

  beforeAll(async () => {
    provider = new V2DriverProvider(alice());
    connection = await connectPinned(new URL(path, stack.urls.mcp), provider);
    client = connection.client;
  });
  afterAll(async () => {
    await client?.close();
  });

  it('should have negotiated 2026-07-28 after one sign-in through consent and the IdP', () => {
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(provider.authorizationUrls).toHaveLength(1);
    expect(provider.tokens()?.scope?.split(' ')).toEqual(expect.arrayContaining(['read:todos']));
    expect(provider.tokens()?.scope?.split(' ')).not.toContain('write:todos');
    expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
  });

  it('should list the six tools and run them against the real Todos API', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(mcpToolPermissions).sort());
    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    expect(whoami.structuredContent).toMatchObject({ claims: { email: 'alice@example.com' } });
    // The first sign-in granted the baseline (read:todos): writing steps up (403 → consent → login → retry).
    const added = await callToolWithStepUp(connection, provider, 'add-todo', { title: `v2 ${path}` });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: 'list-todos', arguments: {} });
    expect(textOf(listed)).toContain(`v2 ${path}`);
    // read:billing is not among this deployment's userPermissions: asking for it again cannot get it.
    await expect(callToolWithStepUp(connection, provider, 'list-billing')).rejects.toThrow();
    expect(provider.tokens()?.scope?.split(' ')).not.toContain('read:billing');
  });
});

describe.each(['streamable-http', 'sse'] as const)('a 2025-11-25 client (initialize) over %s', (kind) => {
  it('should sign in, initialize and call tools', async () => {
    const provider = new DriverOAuthProvider(alice());
    const client = await connectMcp(kind, stack.urls.mcp, provider);
    try {
      expect(client.getServerVersion()?.name).toBe('mcp-auth0-oidc');
      expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(JSON.stringify(whoami)).toContain('alice@example.com');
    } finally {
      await client.close();
    }
  });
});

describe('one canonical origin', () => {
  const loopbackIp = () => stack.urls.mcp.replace('localhost', '127.0.0.1');

  it('should refuse a client aimed at 127.0.0.1 before any login, naming the canonical URL', async () => {
    const provider = new V2DriverProvider(alice());
    await expect(connectPinned(new URL('/mcp', loopbackIp()), provider)).rejects.toThrow(); // the pinned client reports its failed discover; the 421 body below names the URL
    expect(provider.authorizationUrls).toHaveLength(0);
    const response = await fetch(new URL('/mcp', loopbackIp()), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(421);
    expect(await response.text()).toContain(`${stack.urls.mcp}/mcp`);
  });

  it('should redirect metadata and /authorize on 127.0.0.1 to localhost', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server', '/authorize?client_id=x']) {
      const response = await fetch(new URL(path, loopbackIp()), { redirect: 'manual' });
      expect(response.status).toBe(308);
      expect(response.headers.get('Location')).toBe(new URL(path, stack.urls.mcp).href);
    }
  });

  it('should answer 403 to a foreign Origin on /mcp and /sse, and let a request without Origin reach the OAuth challenge', async () => {
    for (const path of ['/mcp', '/sse']) {
      const foreign = await fetch(new URL(path, stack.urls.mcp), {
        method: 'POST',
        headers: { Origin: 'https://evil.example' },
        body: '{}',
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('Access-Control-Allow-Origin')).toBeNull();
    }
    const native = await fetch(new URL('/mcp', stack.urls.mcp), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(native.status).toBe(401);
  });
});
