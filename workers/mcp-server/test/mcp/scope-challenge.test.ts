// Per-tool permissions: a tool that declares `scopeChallenge: requireScopes(…)` is refused with 403 insufficient_scope on
// /mcp (both eras), POST /sse and /sse/message before it runs, and an incomplete ctx.auth cannot switch the check off.
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import type { McpHandlerContext } from '../../src/mcp/mcp-request-auth.js';
import { sseHandler } from '../../src/mcp/sse/sse-handler.js';
import { mcpHandler } from '../../src/mcp/streamable-http-handler.js';
import { signIn } from '../support/oauth-flow.js';
import { aliceProps, handlerContext, testAuth } from './support/mcp-test-context.js';
import { SseReader } from './support/sse-reader.js';

/** How often the guarded tool actually ran. */
const ran = vi.hoisted(() => ({ count: 0 }));

// The six real tools plus one that needs read:billing, declared the way every tool will declare its permission.
vi.mock('../../src/mcp/tools/register-tools.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/mcp/tools/register-tools.js')>();
  const { registerTool } = await import('../../src/mcp/tools/tool-call.js');
  const { requireScopes } = await import('@modelcontextprotocol/server');
  return {
    registerTools(...args: Parameters<typeof original.registerTools>) {
      original.registerTools(...args);
      registerTool(
        args[0],
        'billing-report',
        {
          title: 'Billing report',
          description: 'Needs read:billing.',
          annotations: { readOnlyHint: true },
          scopeChallenge: requireScopes('read:billing'),
        },
        () => {
          ran.count++;
          return { content: [{ type: 'text', text: 'billing report' }] };
        },
      );
    },
  };
});

const ORIGIN = 'https://mcp.example.test';
const CHALLENGE =
  'Bearer error="insufficient_scope", error_description="Insufficient scope", scope="read:billing", ' +
  'resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource"';
const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'billing-report', arguments: {} } };
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
      ...(era === '2026-07-28' ? { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'billing-report' } : {}),
    },
    body: JSON.stringify(body),
  });
}

function serve(request: Request, ctx: McpHandlerContext): Promise<Response> {
  return new URL(request.url).pathname === '/mcp' ? mcpHandler.fetch(request, env, ctx) : sseHandler.fetch(request, env, ctx);
}

describe.each([
  ['/mcp', '2026-07-28'],
  ['/mcp', '2025-11-25'],
  ['/sse', '2026-07-28'],
  ['/sse', '2025-11-25'],
] as const)('POST %s, protocol %s', (path, era) => {
  it('should refuse a call the grant lacks the permission for with 403 insufficient_scope, before the tool runs', async () => {
    ran.count = 0;
    const response = await serve(mcpRequest(path, era), withScope(['read:todos', 'write:todos']));
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe(CHALLENGE);
    expect(await response.json()).toEqual({ error: 'insufficient_scope', error_description: 'Insufficient scope' });
    expect(ran.count).toBe(0);
  });

  it('should run the tool once the grant has the permission', async () => {
    ran.count = 0;
    const response = await serve(mcpRequest(path, era), withScope(['read:todos', 'read:billing']));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('billing report');
    expect(ran.count).toBe(1);
  });

  it.each([
    ['no ctx.auth', undefined],
    ['a ctx.auth without token and audience (the old fast path type)', { clientId: 'c', scope: ['read:billing'], expiresAt: 4e9 }],
    ['an empty client id', { ...testAuth(), clientId: '' }],
    ['an audience that is not a URL', { ...testAuth(), audience: 'mcp.example.test' }],
  ])('should refuse to run tools at all with %s', async (_case, auth) => {
    ran.count = 0;
    const ctx = withScope([]);
    (ctx as { auth: unknown }).auth = auth;
    const response = await serve(mcpRequest(path, era), ctx);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } });
    expect(ran.count).toBe(0);
  });
});

describe('legacy /sse/message', () => {
  async function openSession(ctx: McpHandlerContext): Promise<{ reader: SseReader; endpoint: string }> {
    const response = await sseHandler.fetch(new Request(`${ORIGIN}/sse`, { headers: { Accept: 'text/event-stream' } }), env, ctx);
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
    return sseHandler.fetch(request, env, ctx);
  }

  it('should answer with the library challenge and run nothing when the grant lacks the permission', async () => {
    ran.count = 0;
    const ctx = withScope(['read:todos']);
    const { reader, endpoint } = await openSession(ctx);
    try {
      const refused = await post(endpoint, ctx, call);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('WWW-Authenticate')).toBe(
        'Bearer realm="OAuth", error="insufficient_scope", scope="read:billing", ' +
          'resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource"',
      );
      expect(ran.count).toBe(0);

      const granted = withScope(['read:todos', 'read:billing']);
      expect((await post(endpoint, granted, call)).status).toBe(202);
      expect(await reader.nextMessage()).toMatchObject({ id: 1, result: { content: [{ text: 'billing report' }] } });
      expect(ran.count).toBe(1);
    } finally {
      await reader.cancel();
    }
  });

  it('should refuse to deliver anything with an incomplete ctx.auth', async () => {
    ran.count = 0;
    const ctx = withScope(['read:billing']);
    const { reader, endpoint } = await openSession(ctx);
    try {
      (ctx as { auth: unknown }).auth = { scope: ['read:billing'] };
      expect((await post(endpoint, ctx, call)).status).toBe(500);
      expect(ran.count).toBe(0);
    } finally {
      await reader.cancel();
    }
  });
});

describe('through the Worker, OAuth provider and verified-token cache', () => {
  it('should refuse the call every time, also when the token verification comes from the cache', async () => {
    const { tokens } = await signIn();
    ran.count = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const request = mcpRequest('/mcp', '2026-07-28');
      request.headers.set('Authorization', `Bearer ${tokens.access_token}`);
      const response = await (await import('cloudflare:test')).SELF.fetch(request);
      expect(response.status).toBe(403);
      expect(response.headers.get('WWW-Authenticate')).toBe(CHALLENGE);
    }
    expect(ran.count).toBe(0);
  });
});
