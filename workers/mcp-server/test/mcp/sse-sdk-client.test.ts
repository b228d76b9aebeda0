// /sse end to end with the official MCP SDK SSE client (as mcp-remote and AI Playground use it).

import { env } from 'cloudflare:workers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, vi } from 'vitest';
import { mcpToolPermissions } from '../../../../system/system.js';
import { sseHandler } from '../../src/mcp/sse/sse-handler.js';
import type { McpProps } from '../../src/props.js';
import { aliceProps, handlerContext } from './support/mcp-test-context.js';

vi.mock('../../src/upstream/get-upstream-access-token.js', async (importOriginal) => {
  const stub = await import('./support/upstream-stub.js');
  return { ...(await importOriginal<object>()), getUpstreamAccessToken: stub.getUpstreamAccessTokenStub };
});
vi.mock('../../src/upstream/upstream-auth-error.js', async () => {
  const stub = await import('./support/upstream-stub.js');
  return { UpstreamAuthError: stub.StubUpstreamAuthError };
});

function handlerFetch(props: McpProps) {
  return (url: string | URL, init?: RequestInit) => {
    const request = new Request(url, init);
    request.headers.set('Host', new URL(url).host);
    return sseHandler.fetch(request, env, handlerContext(props));
  };
}

describe('/sse with the MCP SDK client', () => {
  it('should connect, list the tools and call whoami', async () => {
    const client = new Client({ name: 'sse-sdk-test', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL('https://mcp.example.test/sse'), { fetch: handlerFetch(aliceProps()) }));
    try {
      expect(client.getServerVersion()?.name).toBe('mcp-auth0-oidc');
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(mcpToolPermissions).sort());
      const result = (await client.callTool({ name: 'whoami', arguments: {} })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice', email: 'alice@example.com' } });
      const invalid = (await client.callTool({ name: 'add-todo', arguments: { title: 7 } })) as CallToolResult;
      expect(invalid.isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
