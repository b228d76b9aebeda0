// Least privilege end to end on the real local stack: a grant of read:todos cannot write on any transport, the official
// v2 client steps up to write:todos (403 → consent → IdP login → retry), and billing comes only when the user ticks it.
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { allTodosPermissions } from '../system/system.js';
import { localUser } from './support/fault-tools.js';
import { callToolWithStepUp, connectPinned, V2DriverProvider } from './support/mcp-v2-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files; below the ephemeral range.
const ports = { mcp: 30988, api: 30989, idp: 30990 };

let testStack: TestStack;
let stack: LocalStack;

const alice = () => localUser(stack, 'alice');

function text(result: unknown): string {
  return (((result as { content?: unknown }).content as { text?: string }[] | undefined) ?? []).map((part) => part.text ?? '').join('\n');
}

/** The Todos API permissions an MCP token's scope holds (the v2 client adds offline_access on its own). */
function permissionsOf(scope: string | undefined): string[] {
  return (scope ?? '')
    .split(' ')
    .filter((value) => value && value !== 'offline_access')
    .sort();
}

/** A JSON-RPC tools/call on `path` with a bearer token, as a client that never steps up sends it (2025-11-25 lane). */
function rawToolCall(path: string, token: string, name: string, args: Record<string, unknown>): Promise<Response> {
  return fetch(new URL(path, stack.urls.mcp), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } }),
  });
}

beforeAll(async () => {
  // Users may grant every permission here, billing included, so the consent page offers it (opt-in).
  testStack = await startTestStack({ ports, userPermissions: allTodosPermissions });
  stack = testStack.stack;
});

afterAll(async () => {
  await testStack?.dispose();
});

describe('a grant of read:todos', () => {
  let readOnlyToken: string;

  beforeAll(async () => {
    const provider = new V2DriverProvider(alice());
    const { client } = await connectPinned(new URL('/mcp', stack.urls.mcp), provider);
    await client.close();
    expect(permissionsOf(provider.tokens()?.scope)).toEqual(['read:todos']);
    readOnlyToken = provider.tokens()!.access_token;
  });

  it.each(['/mcp', '/sse'])('should be refused writes on %s with 403 insufficient_scope naming write:todos', async (path) => {
    const response = await rawToolCall(path, readOnlyToken, 'add-todo', { title: 'should never exist' });
    expect(response.status).toBe(403);
    const challenge = response.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="read:todos write:todos"');
    expect(challenge).toContain('resource_metadata=');
  });

  it('should be refused writes on legacy SSE with a tool result naming the permission, and nothing written', async () => {
    const client = new V1Client({ name: 'sse-read-only', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL('/sse', stack.urls.mcp), {
        requestInit: { headers: { Authorization: `Bearer ${readOnlyToken}` } },
        eventSourceInit: {
          fetch: (url, init) =>
            fetch(url, { ...init, headers: { ...(init?.headers as object), Authorization: `Bearer ${readOnlyToken}` } }),
        },
      }),
    );
    try {
      const refused = await client.callTool({ name: 'add-todo', arguments: { title: 'should never exist' } });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toContain('not granted write:todos');
      const listed = await client.callTool({ name: 'list-todos', arguments: {} });
      expect(listed.isError).toBeFalsy();
      expect(text(listed)).not.toContain('should never exist');
    } finally {
      await client.close();
    }
  });
});

describe('step-up with the official v2 client pinned to 2026-07-28', () => {
  it('should re-authorize for write:todos on 403, show it on the consent page, ask the IdP for it, and retry', async () => {
    const provider = new V2DriverProvider(alice());
    const connection = await connectPinned(new URL('/mcp', stack.urls.mcp), provider);
    try {
      expect(permissionsOf(provider.tokens()?.scope)).toEqual(['read:todos']);
      // Tools stay listed, each naming the permission it needs, so a client knows what it may ask for.
      const { tools } = await connection.client.listTools();
      const addTodo = tools.find((tool) => tool.name === 'add-todo');
      expect(addTodo?._meta).toMatchObject({ requiredPermission: 'write:todos' });
      expect(addTodo?.description).toContain('write:todos');
      const added = await callToolWithStepUp(connection, provider, 'add-todo', { title: 'after step-up' });
      expect(added.isError).toBeFalsy();
      // The second authorization asked for the union, and the grant now holds it.
      expect(provider.authorizationUrls).toHaveLength(2);
      expect(provider.authorizationUrls[1]?.searchParams.get('scope')?.split(' ')).toEqual(
        expect.arrayContaining(['read:todos', 'write:todos']),
      );
      expect(permissionsOf(provider.tokens()?.scope)).toEqual(['read:todos', 'write:todos']);
      const listed = await connection.client.callTool({ name: 'list-todos', arguments: {} });
      expect(text(listed)).toContain('after step-up');
    } finally {
      await connection.client.close();
    }
  });

  it('should not grant read:billing when the user leaves its opt-in box unticked', async () => {
    const provider = new V2DriverProvider(alice());
    const connection = await connectPinned(new URL('/mcp', stack.urls.mcp), provider);
    try {
      // The driver submits the consent form as shown: read:billing is offered but unticked, so it stays out and the
      // retried call is refused again (the client starts another authorization and gives up).
      await expect(callToolWithStepUp(connection, provider, 'list-billing')).rejects.toThrow();
      expect(provider.tokens()?.scope?.split(' ')).not.toContain('read:billing');
    } finally {
      await connection.client.close();
    }
  });
});
