// /mcp (stateless Streamable HTTP): the six tools through official MCP clients of both eras, and every refusal.

import { env } from 'cloudflare:workers';
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mcpToolPermissions } from '../../../../system/system.js';
import { mcpHandler } from '../../src/mcp/streamable-http-handler.js';
import { toolMessages } from '../../src/mcp/tools/tool-result.js';
import type { McpProps } from '../../src/props.js';
import { createFakeTodosApi, type FakeTodosApi } from './support/fake-todos-api.js';
import { ALICE_UPSTREAM_TOKEN, aliceProps, bobProps, handlerContext, SECRET_TOKENS } from './support/mcp-test-context.js';
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
/** What the tests need of a client; both SDKs' clients have it. */
interface McpClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  listTools(): Promise<{
    tools: Array<{ name: string; inputSchema: unknown; annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean } }>;
  }>;
  getServerVersion(): { name: string } | undefined;
  close(): Promise<void>;
}

/**
 * The two eras every tool test runs in: the v2 client pinned to 2026-07-28 (server/discover, `_meta`
 * per request, JSON answers) and the v1 client on 2025-11-25 (initialize, SSE-framed answers).
 */
const ERAS = ['2026-07-28 (SDK v2 client, pinned)', '2025-11-25 (SDK v1 client, initialize)'] as const;
let era: (typeof ERAS)[number] = ERAS[0];

let clients: McpClient[];
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
    const request = new Request(url, init);
    // What every request from the network carries: the handler checks it against the canonical host.
    request.headers.set('Host', new URL(url).host);
    const response = await mcpHandler.fetch(request, testEnv, ctx);
    await ctx.settle();
    return response;
  };
}

async function connect(props: McpProps = aliceProps()): Promise<McpClient> {
  let client: McpClient;
  if (era === ERAS[0]) {
    const v2 = new V2Client({ name: 'mcp-server-tests', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await v2.connect(new V2Transport(new URL(MCP_URL), { fetch: handlerFetch(props) }));
    expect(v2.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    client = v2 as unknown as McpClient;
  } else {
    const v1 = new V1Client({ name: 'mcp-server-tests', version: '1.0.0' });
    const transport = new V1Transport(new URL(MCP_URL), { fetch: handlerFetch(props) });
    await v1.connect(transport);
    expect(transport.protocolVersion).toBe('2025-11-25');
    client = v1 as unknown as McpClient;
  }
  clients.push(client);
  return client;
}

async function callTool(client: McpClient, name: string, args?: Record<string, unknown>): Promise<CallToolResult> {
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

describe.each(ERAS)('%s', (name) => {
  beforeEach(() => {
    era = name;
  });

  describe('/mcp tools/list', () => {
    it('should list the six tools with their input schemas', async () => {
      const client = await connect();
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(mcpToolPermissions).sort());
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

    it('should answer an unknown tool with an invalid-params error', async () => {
      const client = await connect();
      await expect(callTool(client, 'drop-database')).rejects.toMatchObject({
        code: -32602,
        message: expect.stringContaining('drop-database'),
      });
    });
  });
});

/** The JSON-RPC answer of a POST: JSON on both lanes, or one SSE `message` event should a lane stream. */
async function answerOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (!response.headers.get('Content-Type')?.includes('text/event-stream')) return JSON.parse(text) as Record<string, unknown>;
  const data = text.split('\n').find((line) => line.startsWith('data: '));
  if (!data) throw new Error(`no data in the SSE answer: ${text}`);
  return JSON.parse(data.slice('data: '.length)) as Record<string, unknown>;
}

/** Headers and `_meta` of a 2026-07-28 request, as the v2 client sends them. */
function modern(method: string, params: Record<string, unknown> = {}, name?: string) {
  return {
    headers: { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, ...(name ? { 'Mcp-Name': name } : {}) },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 5,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
        },
      },
    }),
  };
}

describe('/mcp capabilities', () => {
  it('should advertise tools without listChanged on initialize (2025)', async () => {
    const response = await rawPost(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
      }),
    );
    expect(response.status).toBe(200);
    const answer = (await answerOf(response)) as { result: { protocolVersion: string; capabilities: unknown } };
    expect(answer.result.protocolVersion).toBe('2025-11-25');
    expect(answer.result.capabilities).toEqual({ tools: { listChanged: false } });
  });

  it('should advertise the same on server/discover (2026-07-28), in JSON', async () => {
    const { headers, body } = modern('server/discover');
    const response = await rawPost(body, headers);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toContain('application/json');
    const answer = (await answerOf(response)) as { result: { supportedVersions: string[]; capabilities: unknown } };
    expect(answer.result.supportedVersions).toEqual(['2026-07-28']);
    expect(answer.result.capabilities).toEqual({ tools: { listChanged: false } });
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

  it('should answer JSON that is not JSON-RPC with a JSON-RPC invalid-request error', async () => {
    const response = await rawPost('{"hello":"world"}');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
  });

  it('should answer an unknown method with method-not-found', async () => {
    const response = await rawPost(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'no/such-method' }));
    expect(response.status).toBe(200);
    expect(await answerOf(response)).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
  });

  it('should answer an unsupported protocol version with -32022 naming the supported one', async () => {
    const { headers, body } = modern('tools/list');
    const response = await rawPost(body.replaceAll('2026-07-28', '2099-01-01'), { ...headers, 'MCP-Protocol-Version': '2099-01-01' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32022, data: { supported: ['2026-07-28'], requested: '2099-01-01' } } });
  });

  it.each(['2026-07-28', '2025-11-25'])('should refuse a body over 1 MiB with 413 (%s)', async (version) => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'add-todo', arguments: { title: 'x'.repeat(1024 * 1024) } },
    });
    const variants: Array<Record<string, string>> = [
      { 'MCP-Protocol-Version': version },
      { 'MCP-Protocol-Version': version, 'Content-Length': String(big.length) },
    ];
    for (const headers of variants) {
      const response = await rawPost(big, headers);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
    expect(api.calls).toHaveLength(0);
  });

  it('should answer a 2025 tools/call without initialize (stateless), with no session, in one JSON body', async () => {
    const response = await rawPost(
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
      { 'MCP-Protocol-Version': '2025-06-18' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(response.headers.get('Content-Type')).toContain('application/json');
    const body = (await response.json()) as { id: number; result: CallToolResult };
    expect(body.id).toBe(3);
    expect(body.result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice' } });
  });

  it('should answer a 2026-07-28 tools/call in JSON, marked complete and naming the server', async () => {
    const { headers, body } = modern('tools/call', { name: 'whoami', arguments: {} }, 'whoami');
    const response = await rawPost(body, { ...headers, 'Content-Length': String(new TextEncoder().encode(body).byteLength) });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toContain('application/json');
    const answer = (await response.json()) as {
      id: number;
      result: CallToolResult & { resultType: string; _meta: Record<string, unknown> };
    };
    expect(answer.id).toBe(5);
    expect(answer.result.resultType).toBe('complete');
    expect(answer.result._meta['io.modelcontextprotocol/serverInfo']).toMatchObject({ name: 'mcp-auth0-oidc' });
    expect(answer.result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice' } });
  });

  it('should name an allowed browser Origin in CORS on both lanes, never *, and vary on Origin', async () => {
    const origin = new URL(MCP_URL).origin;
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
    const legacy = await rawPost(JSON.stringify(call), { 'MCP-Protocol-Version': '2025-11-25', Origin: origin });
    const { headers, body } = modern('tools/call', { name: 'whoami', arguments: {} }, 'whoami');
    const current = await rawPost(body, { ...headers, Origin: origin });
    for (const response of [legacy, current]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBe(origin);
      expect(response.headers.get('Access-Control-Allow-Credentials')).toBeNull();
      expect(response.headers.get('Vary')).toContain('Origin');
    }
  });

  it('should keep concurrent 2026-07-28 requests apart on the shared handler: each ends only its own grant', async () => {
    // Alice's token lookup waits, so Bob's request runs while hers is in flight; Bob's IdP grant is gone.
    getUpstreamAccessTokenStub.mockImplementation(async (_env, props) => {
      if (props.grantKey === bobProps().grantKey) throw new StubUpstreamAuthError('reauth_required');
      await new Promise((resolve) => setTimeout(resolve, 20));
      return props.upstream.accessToken;
    });
    const ended = { alice: 0, bob: 0 };
    const call = async (props: McpProps, who: keyof typeof ended) => {
      const { headers, body } = modern('tools/call', { name: 'list-todos', arguments: {} }, 'list-todos');
      const request = new Request(MCP_URL, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Host: 'mcp.example.test',
          ...headers,
        },
        body,
      });
      const ctx = handlerContext(props, async () => {
        ended[who]++;
      });
      const response = await mcpHandler.fetch(request, testEnv, ctx);
      await ctx.settle();
      return ((await response.json()) as { result: CallToolResult }).result;
    };

    const [alice, bob] = await Promise.all([call(aliceProps(), 'alice'), call(bobProps(), 'bob')]);

    expect(alice.isError).toBeFalsy();
    expect(api.calls.map((recorded) => recorded.authorization)).toEqual([`Bearer ${ALICE_UPSTREAM_TOKEN}`]);
    expect(textOf(bob)).toBe(toolMessages.reauthRequired);
    expect(ended).toEqual({ alice: 0, bob: 1 });
  });

  it('should answer a 2025 batch in one JSON array, each answer under its own id', async () => {
    const batch = [1, 2].map((id) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'whoami', arguments: {} } }));
    const response = await rawPost(JSON.stringify(batch), { 'MCP-Protocol-Version': '2025-03-26' });
    expect(response.status).toBe(200);
    const answers = (await response.json()) as Array<{ id: number; result: CallToolResult }>;
    expect(answers.map((answer) => answer.id).sort()).toEqual([1, 2]);
    for (const answer of answers) expect(answer.result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice' } });
  });

  it('should refuse a client that does not accept JSON and SSE with 406', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const response = await rawPost(body, { Accept: 'application/json', 'MCP-Protocol-Version': '2025-11-25' });
    expect(response.status).toBe(406);
  });
});
