// /mcp and POST /sse: stateless Streamable HTTP for 2026-07-28 and 2025 clients alike (agents' createMcpHandler, a JSON lane for 2025).
import { mcpServer } from '../../../../system/system.js';
import { refuseMcpOverLimit } from '../abuse/rate-limit.js';
import { canonicalOrigin } from '../auth/canonical-origin.js';
import { answerMcpRequest } from './answer-mcp-request.js';
import { createMcpServer } from './create-mcp-server.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error.js';
import { isCompleteResourceAuth, type McpHandlerContext, requestAuthInfo } from './mcp-request-auth.js';
import { mcpHandlerOriginOptions, originPolicy } from './origin-policy.js';
import { MAX_MCP_BODY_BYTES, readMcpPost } from './request-body.js';

export interface StreamableHttpHandler {
  fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response>;
}

/**
 * The handler for one exact path (agents compares `route` with `===`, so /mcp and /sse each get
 * their own). Every request gets a new McpServer, built by a factory that closes over this request's
 * env and the hook that ends its grant (agents' handler, shared by the isolate, gives its factory
 * neither; the grant itself reaches the tools as `authInfo`). Which lane answers is
 * answerMcpRequest's choice.
 *
 * The body is read once here and handed over parsed, with the verified token as the SDK's
 * `authInfo` (what agents would derive from `ctx.auth`). No `authContext`: the tools read the grant
 * from `authInfo`, and agents would otherwise pipe every response body through one more stream to
 * keep `getMcpAuthContext()` available.
 */
export function streamableHttpHandler(route: string, allow: string): StreamableHttpHandler {
  return {
    async fetch(request, env, ctx) {
      // Fail closed: without the provider's full ctx.auth there is no authInfo, and every scope check would be skipped.
      if (!isCompleteResourceAuth(ctx.auth)) {
        console.error('mcp: the verified token is incomplete; refusing instead of running tools unchecked');
        return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
      }
      const limited = await refuseMcpOverLimit(env, ctx);
      if (limited) return limited;
      const post = await readMcpPost(request, MAX_MCP_BODY_BYTES);
      if (post instanceof Response) return post;
      const onReauthRequired = grantEnder(ctx);
      const response = await answerMcpRequest(() => createMcpServer(env, onReauthRequired ? { onReauthRequired } : {}), post, {
        route,
        authInfo: requestAuthInfo(ctx.auth, ctx.props),
        originOptions: mcpHandlerOriginOptions(post.request, originPolicy(canonicalOrigin(post.request, env), env)),
      });
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
