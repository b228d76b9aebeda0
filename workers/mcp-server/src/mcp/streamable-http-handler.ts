// /mcp: stateless Streamable HTTP — a fresh McpServer and transport per POST, JSON responses, no session state.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpProps } from '../props.js';
import { createMcpServer } from './create-mcp-server.js';
import { jsonRpcErrorResponse, JsonRpcErrorCode, methodNotAllowed } from './json-rpc-error.js';
import { mcpAuthInfo, type VerifiedMcpToken } from './mcp-request-auth.js';

/** Largest accepted request body, in bytes (1 MiB): tool arguments here are small. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

/** What the OAuth provider hands an API handler: the grant's props and, when available, the verified token. */
export type McpHandlerContext = ExecutionContext & { props: McpProps; auth?: VerifiedMcpToken };

export const streamableHttpHandler = {
  async fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response> {
    // Stateless: no server-initiated stream to GET and no session to DELETE (spec: 405 for both).
    if (request.method !== 'POST') return methodNotAllowed('POST');

    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
    });
    const server = createMcpServer(env);
    try {
      await server.connect(transport);
      return await transport.handleRequest(request, { authInfo: mcpAuthInfo(ctx.props, ctx.auth) });
    } catch (error) {
      console.error('mcp: request failed', error instanceof Error ? error.name : 'unknown');
      return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
    } finally {
      // The response is complete (JSON mode): release the per-request server without delaying it.
      ctx.waitUntil(server.close());
    }
  },
};
