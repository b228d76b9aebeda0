// Bench control Worker: the runtime and the MCP server's building blocks with no real work, to measure what they cost.
//   GET /noop       a bare response (the HTTP floor of this workerd)
//   GET /kv-read    one KV read of a token-record-sized value (seeded by the bench: control-kv.ts)
//   POST /open/mcp  the MCP layer alone: agents' createMcpHandler (SDK v2), a server per request, as workers/mcp-server runs it
//   GET /audit-write   the audit log's write for one tool call (pseudonym + D1 insert), awaited: its cost
//   GET /audit-queued  the same as the MCP server does it, queued with waitUntil: what a response waits for it
//   GET /rate-limited  /noop behind one Rate Limiting check, as /mcp and /sse make per request: the limiter's cost
//   POST /mcp       the same behind workers-oauth-provider, set up like workers/mcp-server (resource = origin, the
//                   token-record cache, props of a realistic size); /authorize approves at once (no consent, no IdP)
import { type OAuthHelpers, OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { McpServer } from '@modelcontextprotocol/server';
import { recordAuditEvent, writeEvent } from '../../../workers/mcp-server/src/audit/record-audit-event.js';
import { withTokenRecordCache } from '../../../workers/mcp-server/src/auth/token-record-cache.js';
import { answerMcpRequest } from '../../../workers/mcp-server/src/mcp/answer-mcp-request.js';
import { isCompleteResourceAuth, requestAuthInfo } from '../../../workers/mcp-server/src/mcp/mcp-request-auth.js';
import { MAX_MCP_BODY_BYTES, readMcpPost } from '../../../workers/mcp-server/src/mcp/request-body.js';
import type { McpProps } from '../../../workers/mcp-server/src/props.js';
import { CONTROL_KV_KEY } from './control-kv.js';

interface ControlEnv {
  OAUTH_KV: KVNamespace;
  AUDIT_DB: D1Database;
  RATE_LIMIT_MCP: RateLimit;
  COOKIE_ENCRYPTION_KEY: string;
  OAUTH_PROVIDER?: OAuthHelpers;
}

type Ctx = { waitUntil(promise: Promise<unknown>): void };

function createServer(): McpServer {
  const server = new McpServer({ name: 'bench-control', version: '1.0.0' }, { capabilities: { tools: { listChanged: false } } });
  // The real list-todos' result shape for an empty list: text content plus structured content.
  server.registerTool('list-todos', { description: 'Answers an empty list at once.' }, () => ({
    content: [{ type: 'text', text: JSON.stringify({ todos: [] }, null, 2) }],
    structuredContent: { todos: [] },
  }));
  return server;
}

async function mcpResponse(request: Request, _env: ControlEnv, ctx: ExecutionContext): Promise<Response> {
  // As the MCP server answers: the body read once and limited, a server per request, 2025 requests on the JSON
  // lane and the rest through agents' handler, no CORS headers, the verified token (behind the provider) as authInfo.
  const post = await readMcpPost(request, MAX_MCP_BODY_BYTES);
  if (post instanceof Response) return post;
  const { auth, props } = ctx as ExecutionContext & { auth?: unknown; props?: McpProps };
  const { hostname, pathname } = new URL(request.url);
  return answerMcpRequest(createServer, post, {
    route: pathname,
    ...(isCompleteResourceAuth(auth) && props ? { authInfo: requestAuthInfo(auth, props) } : {}),
    originOptions: { allowedHostnames: [hostname], allowedOriginHostnames: [hostname], corsOptions: false },
  });
}

/** Props about the size of the real grant's (claims, an upstream access token, refresh and ID tokens). */
const props = {
  claims: { sub: 'bench|control', email: 'control@example.com', email_verified: true, name: 'Control' },
  upstream: {
    accessToken: 'a'.repeat(900),
    refreshToken: 'r'.repeat(64),
    idToken: 'i'.repeat(700),
    expiresAt: 4_000_000_000,
    scope: 'openid email read:todos',
  },
  grantKey: 'g'.repeat(43),
};

/** One tool call's audit event, as src/audit/record-tool-call.ts records a `list-todos`. */
function auditedCall() {
  return {
    kind: 'tool_call',
    subject: props.claims.sub,
    clientId: 'bench-control-client',
    grantKey: props.grantKey,
    tool: 'list-todos',
    outcome: 'ok',
    durationMs: 4,
  } as const;
}

const providers = new Map<string, OAuthProvider<ControlEnv>>();

function providerFor(origin: string): OAuthProvider<ControlEnv> {
  let provider = providers.get(origin);
  if (!provider) {
    provider = new OAuthProvider<ControlEnv>({
      apiHandlers: { '/mcp': { fetch: mcpResponse } as never },
      defaultHandler: {
        async fetch(request: Request, env: ControlEnv) {
          if (new URL(request.url).pathname !== '/authorize' || !env.OAUTH_PROVIDER) return new Response(null, { status: 404 });
          const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request);
          const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({
            request: authRequest,
            userId: 'bench-control',
            metadata: {},
            scope: authRequest.scope,
            props,
          });
          return Response.redirect(redirectTo, 302);
        },
      } as never,
      authorizeEndpoint: '/authorize',
      tokenEndpoint: '/oauth/token',
      clientRegistrationEndpoint: '/oauth/register',
      resourceMetadata: { resource: origin, authorization_servers: [origin], bearer_methods_supported: ['header'] },
    });
    providers.set(origin, provider);
  }
  return provider;
}

export default {
  async fetch(request: Request, env: ControlEnv, ctx: Ctx & ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/noop') return new Response('ok');
    if (url.pathname === '/kv-read') {
      const record = await env.OAUTH_KV.get(CONTROL_KV_KEY, 'json');
      return new Response(record ? 'hit' : 'miss');
    }
    if (url.pathname === '/open/mcp') return mcpResponse(request, env, ctx);
    if (url.pathname === '/audit-write') {
      await writeEvent(env, auditedCall());
      return new Response('written');
    }
    if (url.pathname === '/rate-limited') {
      const { success } = await env.RATE_LIMIT_MCP.limit({ key: 'bench-user:bench-client' });
      return new Response(success ? 'ok' : 'limited', { status: success ? 200 : 429 });
    }
    if (url.pathname === '/audit-queued') {
      recordAuditEvent(env, auditedCall());
      return new Response('queued');
    }
    return providerFor(url.origin).fetch(request, { ...env, OAUTH_KV: withTokenRecordCache(env.OAUTH_KV) }, ctx);
  },
};
