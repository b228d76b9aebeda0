// /mcp: stateless Streamable HTTP — a fresh McpServer and transport per POST, JSON responses, no session state.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpProps } from '../props.js';
import { createMcpServer } from './create-mcp-server.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse, methodNotAllowed } from './json-rpc-error.js';
import { mcpAuthInfo, type VerifiedMcpToken } from './mcp-request-auth.js';
import { MAX_MCP_BODY_BYTES, preparseJsonBody } from './request-body.js';

/**
 * What the OAuth provider hands an API handler: the grant's props and, when available, the verified
 * token; plus, set by the Worker's entry, a way to end the grant when the IdP has refused it.
 */
export type McpHandlerContext = ExecutionContext & { props: McpProps; auth?: VerifiedMcpToken; endGrant?: () => Promise<void> };

export const streamableHttpHandler = {
  async fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response> {
    // Stateless: no server-initiated stream to GET and no session to DELETE (spec: 405 for both).
    if (request.method !== 'POST') return methodNotAllowed('POST');

    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
    });
    const server = createMcpServer(env, { onReauthRequired: grantEnder(ctx) });
    // No server.close() on success: in JSON mode the response exists only once every handler has
    // answered, and the server holds no timers or streams, so both objects are garbage afterwards.
    // Closing would only add about 0.2 ms of CPU per request (it builds an McpError with a stack).
    try {
      await server.connect(transport);
      const { request: toHandle, parsedBody } = await preparseJsonBody(request, MAX_MCP_BODY_BYTES);
      return await transport.handleRequest(toHandle, {
        authInfo: mcpAuthInfo(ctx.props, ctx.auth),
        ...(parsedBody === undefined ? {} : { parsedBody }),
      });
    } catch (error) {
      console.error('mcp: request failed', error instanceof Error ? error.name : 'unknown');
      // Handlers may still be running: abort them.
      ctx.waitUntil(server.close());
      return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
    }
  },
};

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
