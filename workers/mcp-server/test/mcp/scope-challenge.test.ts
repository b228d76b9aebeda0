// Per-tool permissions (system.ts mcpToolPermissions): a call the grant lacks the permission for is refused before the
// tool runs — 403 insufficient_scope (step-up) on /mcp (both eras) and POST /sse, a tool result naming the permission on
// legacy /sse/message — and an incomplete ctx.auth cannot switch the check off. The Todos API is never reached then.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { McpHandlerContext } from '../../src/mcp/mcp-request-auth.js';
import { sseHandler } from '../../src/mcp/sse/sse-handler.js';
import { mcpHandler } from '../../src/mcp/streamable-http-handler.js';
import { signIn } from '../support/oauth-flow.js';
import { createFakeTodosApi } from './support/fake-todos-api.js';
import { aliceProps, handlerContext, testAuth } from './support/mcp-test-context.js';
import { SseReader } from './support/sse-reader.js';

/** The Todos API the tools call: a tool that ran shows up in its calls. */
const api = createFakeTodosApi({ [aliceProps().upstream.accessToken]: ['read:todos', 'write:todos', 'read:billing'] });
const testEnv = { ...env, TODOS_API: api.fetcher } as Env;
const billingCalls = () => api.calls.filter((recorded) => recorded.path === '/api/billing').length;

const ORIGIN = 'https://mcp.example.test';
// Every scope the call needs, the baseline included, so re-authorizing with it keeps what the client had.
const CHALLENGE =
  'Bearer error="insufficient_scope", error_description="Insufficient scope", scope="read:todos read:billing", ' +
  'resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource"';
const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-billing', arguments: {} } };
const modernMeta = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'scope-test', version: '1.0.0' },
};

function withScope(scope: string[]): McpHandlerContext {
  const ctx = handlerContext(aliceProps());
  ctx.auth = testAuth(scope);
  return ctx;
}

function mcpRequest(path: string, era: '2026-07-28' | '2025-11-25'): Request {
  const body = era === '2026-07-28' ? { ...call, params: { ...call.params, _meta: modernMeta } } : call;
  return new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      Host: 'mcp.example.test',
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': era,
      ...(era === '2026-07-28' ? { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'list-billing' } : {}),
    },
    body: JSON.stringify(body),
  });
}

function serve(request: Request, ctx: McpHandlerContext): Promise<Response> {
  return new URL(request.url).pathname === '/mcp' ? mcpHandler.fetch(request, testEnv, ctx) : sseHandler.fetch(request, testEnv, ctx);
}

describe.each([
  ['/mcp', '2026-07-28'],
  ['/mcp', '2025-11-25'],
  ['/sse', '2026-07-28'],
  ['/sse', '2025-11-25'],
] as const)('POST %s, protocol %s', (path, era) => {
  it('should refuse a call the grant lacks the permission for with 403 insufficient_scope, before the tool runs', async () => {
    api.calls.length = 0;
    const response = await serve(mcpRequest(path, era), withScope(['read:todos', 'write:todos']));
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe(CHALLENGE);
    expect(await response.json()).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
    expect(billingCalls()).toBe(0);
  });

  it('should run the tool once the grant has the permission', async () => {
    api.calls.length = 0;
    const response = await serve(mcpRequest(path, era), withScope(['read:todos', 'read:billing']));
    expect(response.status).toBe(200);
    expect(billingCalls()).toBe(1);
  });

  it.each([
    ['no ctx.auth', undefined],
    ['a ctx.auth without token and audience (the old fast path type)', { clientId: 'c', scope: ['read:billing'], expiresAt: 4e9 }],
    ['an empty client id', { ...testAuth(), clientId: '' }],
    ['an audience that is not a URL', { ...testAuth(), audience: 'mcp.example.test' }],
  ])('should refuse to run tools at all with %s', async (_case, auth) => {
    api.calls.length = 0;
    const ctx = withScope([]);
    (ctx as { auth: unknown }).auth = auth;
    const response = await serve(mcpRequest(path, era), ctx);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } });
    expect(billingCalls()).toBe(0);
  });
});

describe('legacy /sse/message', () => {
  async function openSession(ctx: McpHandlerContext): Promise<{ reader: SseReader; endpoint: string }> {
    const response = await sseHandler.fetch(new Request(`${ORIGIN}/sse`, { headers: { Accept: 'text/event-stream' } }), testEnv, ctx);
    const reader = new SseReader(response);
    const endpoint = (await reader.next()).data;
    return { reader, endpoint };
  }

  function post(endpoint: string, ctx: McpHandlerContext, message: unknown): Promise<Response> {
    const request = new Request(new URL(endpoint, ORIGIN), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(message),
    });
    return sseHandler.fetch(request, testEnv, ctx);
  }

  it('should answer on the stream with a tool result naming the missing permission, and run nothing', async () => {
    api.calls.length = 0;
    const ctx = withScope(['read:todos']);
    const { reader, endpoint } = await openSession(ctx);
    try {
      // No HTTP status per call on legacy SSE, and its clients do not step up: the answer says how to get it.
      expect((await post(endpoint, ctx, call)).status).toBe(202);
      const refused = (await reader.nextMessage()) as { id: number; result: { isError: boolean; content: { text: string }[] } };
      expect(refused).toMatchObject({ id: 1, result: { isError: true } });
      expect(refused.result.content[0]?.text).toContain('not granted read:billing');
      expect(refused.result.content[0]?.text).toContain('Reconnect');

      const granted = withScope(['read:todos', 'read:billing']);
      expect((await post(endpoint, granted, call)).status).toBe(202);
      // The session object calls its own Todos API binding (the suite's 503 stand-in): the tool ran and said so.
      const answered = (await reader.nextMessage()) as { id: number; result: { content: { text: string }[] } };
      expect(answered.id).toBe(1);
      expect(answered.result.content[0]?.text).not.toContain('not granted');
    } finally {
      await reader.cancel();
    }
  });

  it('should refuse to deliver anything with an incomplete ctx.auth', async () => {
    api.calls.length = 0;
    const ctx = withScope(['read:billing']);
    const { reader, endpoint } = await openSession(ctx);
    try {
      (ctx as { auth: unknown }).auth = { scope: ['read:billing'] };
      expect((await post(endpoint, ctx, call)).status).toBe(500);
      expect(billingCalls()).toBe(0);
    } finally {
      await reader.cancel();
    }
  });
});

describe('through the Worker, OAuth provider and verified-token cache', () => {
  it('should refuse the call every time, also when the token verification comes from the cache', async () => {
    const { tokens } = await signIn();
    api.calls.length = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const request = mcpRequest('/mcp', '2026-07-28');
      request.headers.set('Authorization', `Bearer ${tokens.access_token}`);
      const response = await (await import('cloudflare:test')).SELF.fetch(request);
      expect(response.status).toBe(403);
      expect(response.headers.get('WWW-Authenticate')).toBe(CHALLENGE);
    }
    expect(billingCalls()).toBe(0);
  });
});
