// /mcp (stateless Streamable HTTP): the six tools through the official MCP SDK client, and every refusal.
import { env } from 'cloudflare:workers';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { streamableHttpHandler } from '../../src/mcp/streamable-http-handler.js';
import { toolMessages } from '../../src/mcp/tools/tool-result.js';
import type { McpProps } from '../../src/props.js';
import { createFakeTodosApi, type FakeTodosApi } from './support/fake-todos-api.js';
import { ALICE_UPSTREAM_TOKEN, aliceProps, handlerContext, SECRET_TOKENS } from './support/mcp-test-context.js';
import { getUpstreamAccessTokenStub, resetUpstreamStub, StubUpstreamAuthError } from './support/upstream-stub.js';

vi.mock('../../src/upstream/get-upstream-access-token.js', async (importOriginal) => {
  const stub = await import('./support/upstream-stub.js');
  return { ...(await importOriginal<object>()), getUpstreamAccessToken: stub.getUpstreamAccessTokenStub };
});
vi.mock('../../src/upstream/upstream-auth-error.js', async () => {
  const stub = await import('./support/upstream-stub.js');
  return { UpstreamAuthError: stub.StubUpstreamAuthError };
});

const MCP_URL = 'https://mcp.example.test/mcp';

let api: FakeTodosApi;
let testEnv: Env;
let clients: Client[];
/** What the Worker's entry puts on ctx to end the grant: counted here. */
let grantsEnded: number;
const endGrant = async (): Promise<void> => {
  grantsEnded++;
};

beforeEach(() => {
  grantsEnded = 0;
  resetUpstreamStub();
  api = createFakeTodosApi({ [ALICE_UPSTREAM_TOKEN]: ['read:todos', 'write:todos'] });
  testEnv = { ...env, TODOS_API: api.fetcher, API_BASE_URL: '' } as Env;
  clients = [];
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
});

/** POSTs straight into the handler, as the OAuth provider does after validating the MCP token. */
function handlerFetch(props: McpProps) {
  return async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const ctx = handlerContext(props, endGrant);
    const response = await streamableHttpHandler.fetch(new Request(url, init), testEnv, ctx);
    await ctx.settle();
    return response;
  };
}

async function connect(props: McpProps = aliceProps()): Promise<Client> {
  const client = new Client({ name: 'mcp-server-tests', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { fetch: handlerFetch(props) }));
  clients.push(client);
  return client;
}

async function callTool(client: Client, name: string, args?: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args ?? {} })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('expected a text result');
  return first.text;
}

function expectNoSecrets(result: CallToolResult): void {
  const serialized = JSON.stringify(result);
  for (const secret of [ALICE_UPSTREAM_TOKEN, ...SECRET_TOKENS]) expect(serialized).not.toContain(secret);
}

async function rawPost(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return handlerFetch(aliceProps())(MCP_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body,
  });
}

describe('/mcp tools/list', () => {
  it('should list the six tools with their input schemas', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      ['add-todo', 'complete-todo', 'delete-todo', 'list-billing', 'list-todos', 'whoami'].sort(),
    );
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName['add-todo']?.inputSchema).toMatchObject({
      type: 'object',
      required: ['title'],
      properties: { title: { type: 'string' } },
    });
    expect(byName['complete-todo']?.inputSchema).toMatchObject({
      type: 'object',
      required: ['id'],
      properties: { completed: { type: 'boolean', default: true } },
    });
    expect(byName['delete-todo']?.inputSchema).toMatchObject({ type: 'object', required: ['id'] });
    expect(byName['list-todos']?.annotations?.readOnlyHint).toBe(true);
    expect(byName['delete-todo']?.annotations?.destructiveHint).toBe(true);
  });

  it('should report the server name from the system description', async () => {
    const client = await connect();
    expect(client.getServerVersion()?.name).toBe('mcp-auth0-oidc');
  });
});

describe('/mcp tools: happy paths', () => {
  it('should answer whoami with the ID token claims and the granted scopes, without any token', async () => {
    const client = await connect();
    const result = await callTool(client, 'whoami');
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      claims: { sub: 'auth0|alice', email: 'alice@example.com', email_verified: true, name: 'Alice Example' },
      scopes: ['openid', 'email', 'profile', 'offline_access', 'read:todos', 'write:todos'],
    });
    expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
    expectNoSecrets(result);
    expect(api.calls).toHaveLength(0);
  });

  it('should add, list, complete and delete todos with the upstream access token', async () => {
    const client = await connect();

    const added = await callTool(client, 'add-todo', { title: '  Buy milk ' });
    expect(added.isError).toBeFalsy();
    const todo = added.structuredContent as { id: string; title: string; completed: boolean };
    expect(todo).toMatchObject({ title: 'Buy milk', completed: false });
    expect(todo.id).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await callTool(client, 'list-todos');
    expect(listed.structuredContent).toEqual({ todos: [todo] });
    expect(JSON.parse(textOf(listed))).toEqual({ todos: [todo] });

    const completed = await callTool(client, 'complete-todo', { id: todo.id });
    expect(completed.structuredContent).toMatchObject({ id: todo.id, completed: true });

    const reopened = await callTool(client, 'complete-todo', { id: todo.id, completed: false });
    expect(reopened.structuredContent).toMatchObject({ id: todo.id, completed: false });

    const deleted = await callTool(client, 'delete-todo', { id: todo.id });
    expect(deleted.isError).toBeFalsy();
    expect(deleted.structuredContent).toEqual({ deleted: true, id: todo.id });
    expect(api.todos).toEqual([]);

    expect(api.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/todos',
      'GET /api/todos',
      `PATCH /api/todos/${todo.id}`,
      `PATCH /api/todos/${todo.id}`,
      `DELETE /api/todos/${todo.id}`,
    ]);
    expect(api.calls.map((call) => call.body)).toEqual([
      { title: 'Buy milk' },
      undefined,
      { completed: true },
      { completed: false },
      undefined,
    ]);
    expect(new Set(api.calls.map((call) => call.authorization))).toEqual(new Set([`Bearer ${ALICE_UPSTREAM_TOKEN}`]));
    for (const result of [added, listed, completed, deleted]) expectNoSecrets(result);
  });

  it('should show billing information when read:billing was granted', async () => {
    api = createFakeTodosApi({ [ALICE_UPSTREAM_TOKEN]: ['read:billing'] });
    testEnv = { ...env, TODOS_API: api.fetcher, API_BASE_URL: '' } as Env;
    const client = await connect();
    const result = await callTool(client, 'list-billing');
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ plan: 'starter', status: 'active', currency: 'USD', monthlyPriceCents: 900 });
  });

  it('should use the token getUpstreamAccessToken returns (e.g. a refreshed one), not the one in props', async () => {
    api = createFakeTodosApi({ 'refreshed-access-token': ['read:todos'] });
    testEnv = { ...env, TODOS_API: api.fetcher, API_BASE_URL: '' } as Env;
    getUpstreamAccessTokenStub.mockResolvedValue('refreshed-access-token');
    const client = await connect();
    const result = await callTool(client, 'list-todos');
    expect(result.isError).toBeFalsy();
    expect(api.calls[0]?.authorization).toBe('Bearer refreshed-access-token');
    expect(getUpstreamAccessTokenStub).toHaveBeenCalledWith(testEnv, expect.objectContaining({ grantKey: 'grant-alice' }));
  });

  it('should call API_BASE_URL with fetch when no service binding is bound', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => api.fetcher.fetch(input as RequestInfo, init));
    try {
      testEnv = { ...env, TODOS_API: undefined, API_BASE_URL: 'https://todos.example.test' } as unknown as Env;
      const client = await connect();
      const result = await callTool(client, 'list-todos');
      expect(result.isError).toBeFalsy();
      expect(String(fetchSpy.mock.calls[0]?.[0])).toBe('https://todos.example.test/api/todos');
    } finally {
      fetchSpy.mockRestore();
    }
  });
});

describe('/mcp tools: refusals become clear tool errors', () => {
  it('should explain that read:billing was not granted', async () => {
    const client = await connect();
    const result = await callTool(client, 'list-billing');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("This connection was not granted read:billing, so billing information can't be shown.");
    expect(api.calls.map((call) => call.path)).toEqual(['/api/billing']);
  });

  it('should name the missing scope for other tools too', async () => {
    api = createFakeTodosApi({ [ALICE_UPSTREAM_TOKEN]: ['read:todos'] });
    testEnv = { ...env, TODOS_API: api.fetcher, API_BASE_URL: '' } as Env;
    const client = await connect();
    const result = await callTool(client, 'add-todo', { title: 'x' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("This connection was not granted write:todos, so todos can't be added.");
  });

  it('should say which todo does not exist', async () => {
    const client = await connect();
    const result = await callTool(client, 'complete-todo', { id: 'nope-42' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('No todo with id nope-42.');
    const deleted = await callTool(client, 'delete-todo', { id: 'nope-43' });
    expect(textOf(deleted)).toBe('No todo with id nope-43.');
  });

  it("should relay the API's field errors", async () => {
    const client = await connect();
    const result = await callTool(client, 'add-todo', { title: 'x'.repeat(201) });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('The Todos API rejected the request: title: must be 1 to 200 characters after trimming.');
    expect(api.todos).toEqual([]);
  });

  it('should tell the user to reconnect when the API refuses the upstream token', async () => {
    getUpstreamAccessTokenStub.mockResolvedValue('revoked-token');
    const client = await connect();
    const result = await callTool(client, 'list-todos');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(toolMessages.upstreamExpired);
  });

  it.each(['unreachable', 'failing'] as const)('should say the API is unavailable when it is %s', async (mode) => {
    api.mode = mode;
    const client = await connect();
    const result = await callTool(client, 'list-todos');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('The Todos API is unavailable right now; try again.');
  });

  it('should tell the user to reconnect, and end the grant, when the IdP requires a new sign-in', async () => {
    getUpstreamAccessTokenStub.mockRejectedValue(new StubUpstreamAuthError('reauth_required'));
    const client = await connect();
    const result = await callTool(client, 'list-todos');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(toolMessages.reauthRequired);
    expect(api.calls).toHaveLength(0);
    expect(grantsEnded).toBe(1);
  });

  it('should give a retryable message when the IdP is unavailable, and keep the grant', async () => {
    getUpstreamAccessTokenStub.mockRejectedValue(new StubUpstreamAuthError('idp_unavailable'));
    const client = await connect();
    const result = await callTool(client, 'list-billing');
    expect(grantsEnded).toBe(0);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(toolMessages.idpUnavailable);
  });

  it('should not echo an unexpected error from the token boundary', async () => {
    getUpstreamAccessTokenStub.mockRejectedValue(new Error(`boom ${ALICE_UPSTREAM_TOKEN}`));
    const client = await connect();
    const result = await callTool(client, 'list-todos');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(toolMessages.idpUnavailable);
    expectNoSecrets(result);
  });
});

describe('/mcp tools: input validation', () => {
  it.each([
    ['add-todo', { title: 42 }],
    ['add-todo', { title: '   ' }],
    ['add-todo', {}],
    ['add-todo', { title: 'x'.repeat(1001) }],
    ['complete-todo', { id: '../billing' }],
    ['complete-todo', { id: 7 }],
    ['complete-todo', { id: '1', completed: 'yes' }],
    ['delete-todo', { id: -1 }],
    ['delete-todo', {}],
  ])('should refuse %s with %j and write nothing', async (name, args) => {
    const client = await connect();
    const result = await callTool(client, name, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`Input validation error: Invalid arguments for tool ${name}`);
    expect(api.calls).toHaveLength(0);
    expect(getUpstreamAccessTokenStub).not.toHaveBeenCalled();
  });

  it('should answer an unknown tool with an error', async () => {
    const client = await connect();
    const result = await callTool(client, 'drop-database');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('Tool drop-database not found');
  });
});

describe('/mcp HTTP layer', () => {
  it.each(['GET', 'DELETE', 'PUT'])('should answer %s with 405 and Allow: POST', async (method) => {
    const response = await handlerFetch(aliceProps())(MCP_URL, { method, headers: { Accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
  });

  it('should answer malformed JSON with a JSON-RPC parse error', async () => {
    const response = await rawPost('{"jsonrpc":"2.0",');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('should answer JSON that is not JSON-RPC with a JSON-RPC error', async () => {
    const response = await rawPost('{"hello":"world"}');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('should answer an unknown method with method-not-found', async () => {
    const response = await rawPost(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'no/such-method' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
  });

  it('should refuse a body over 1 MiB with 413', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'add-todo', arguments: { title: 'x'.repeat(1024 * 1024) } },
    });
    const response = await rawPost(big);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    expect(api.calls).toHaveLength(0);
  });

  it('should answer a tools/call without initialize (stateless) with JSON', async () => {
    const response = await rawPost(
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
      { 'MCP-Protocol-Version': '2025-06-18' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toContain('application/json');
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const body = (await response.json()) as { id: number; result: CallToolResult };
    expect(body.id).toBe(3);
    expect(body.result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice' } });
  });

  // Requests from the network declare their length, so the handler reads the body itself (request-body.ts);
  // its answers must be the SDK's own.
  describe('with a declared Content-Length', () => {
    const declaredLength = (body: string) => ({ 'Content-Length': String(new TextEncoder().encode(body).byteLength) });

    it('should answer a tools/call', async () => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
      const response = await rawPost(body, { 'MCP-Protocol-Version': '2025-06-18', ...declaredLength(body) });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { id: number; result: CallToolResult };
      expect(answer.id).toBe(4);
      expect(answer.result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice' } });
    });

    it('should answer malformed JSON with a JSON-RPC parse error', async () => {
      const body = '{"jsonrpc":"2.0",';
      const response = await rawPost(body, declaredLength(body));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    });

    it('should still refuse a client that does not accept JSON and SSE with 406, whatever the body', async () => {
      const body = '{"jsonrpc":"2.0",';
      const response = await rawPost(body, { Accept: 'application/json', ...declaredLength(body) });
      expect(response.status).toBe(406);
    });
  });
});
