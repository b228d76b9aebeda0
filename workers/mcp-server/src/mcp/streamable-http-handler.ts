// /mcp and POST /sse: stateless Streamable HTTP on agents' createMcpHandler, 2026-07-28 and 2025 clients alike.
import { createMcpHandler } from 'agents/mcp/server';
import { mcpServer } from '../../../../system/system.js';
import { refuseMcpOverLimit } from '../abuse/rate-limit.js';
import { canonicalOrigin } from '../auth/canonical-origin.js';
import { createMcpServer } from './create-mcp-server.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error.js';
import { isCompleteResourceAuth, type McpHandlerContext } from './mcp-request-auth.js';
import { mcpHandlerOriginOptions, originPolicy } from './origin-policy.js';
import { boundedRequest, MAX_MCP_BODY_BYTES } from './request-body.js';

export interface StreamableHttpHandler {
  fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response>;
}

/**
 * The handler for one exact path (agents compares `route` with `===`, so /mcp and /sse each get
 * their own). Every request gets a new McpServer, and the agents handler around it is built per
 * request too (about 11 µs) so that its factory closes over this request's env and grant: the
 * factory itself is given neither.
 */
export function streamableHttpHandler(route: string, allow: string): StreamableHttpHandler {
  return {
    async fetch(request, env, ctx) {
      // Fail closed: without the provider's full ctx.auth, agents would set no authInfo and skip every scope check.
      if (!isCompleteResourceAuth(ctx.auth)) {
        console.error('mcp: the verified token is incomplete; refusing instead of running tools unchecked');
        return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
      }
      const limited = await refuseMcpOverLimit(env, ctx);
      if (limited) return limited;
      const bounded = await boundedRequest(request, MAX_MCP_BODY_BYTES);
      if (bounded instanceof Response) return bounded;
      const onReauthRequired = grantEnder(ctx);
      const handler = createMcpHandler(() => createMcpServer(env, onReauthRequired ? { onReauthRequired } : {}), {
        route,
        maxRequestBodySize: MAX_MCP_BODY_BYTES,
        ...mcpHandlerOriginOptions(bounded, originPolicy(canonicalOrigin(bounded, env), env)),
        onerror: (error) => console.error('mcp: request failed', error.name),
      });
      const response = await handler(bounded, env, ctx);
      // The SDK's 405 does not say what the endpoint accepts; RFC 9110 wants an Allow header there.
      if (response.status === 405 && !response.headers.has('Allow')) response.headers.set('Allow', allow);
      return response;
    },
  };
}

/** /mcp. */
export const mcpHandler = streamableHttpHandler(mcpServer.paths.mcp, 'POST');

/**
 * Ends the grant at most once per request. Awaited before the tool answers, so the client's very
 * next request is refused; a failure is logged, and the client's next refresh ends the grant instead.
 */
function grantEnder(ctx: McpHandlerContext): (() => Promise<void>) | undefined {
  const { endGrant } = ctx;
  if (!endGrant) return undefined;
  let ending: Promise<void> | undefined;
  return () =>
    (ending ??= endGrant().catch((error: unknown) => {
      console.error('mcp: ending the grant failed', error instanceof Error ? error.name : 'unknown');
    }));
}
