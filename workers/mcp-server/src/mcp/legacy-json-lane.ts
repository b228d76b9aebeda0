// 2025-era POSTs on /mcp and POST /sse answered with one JSON body instead of agents' SSE stream of one event.
import { type AuthInfo, type McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { afterResponse } from '../http/after-response.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error.js';

/**
 * Serves one 2025-era (2025-11-25, 2025-06-18, 2025-03-26) request on a fresh server, statelessly, and answers it
 * `application/json`, which the Streamable HTTP transport allows for any request (clients must accept both).
 *
 * agents' 2025 lane answers every request as an SSE stream: piped through two more streams of its own, framed as
 * events, and parsed back by the client. For these tools that stream could only ever carry the one result (they
 * send no progress or log notifications, and a stateless server can make no requests of the client), so JSON
 * answers the same thing with neither cost.
 *
 * The server is closed after the response has been handed over: nothing of the exchange is left to abort by then
 * (with JSON responses the transport answers only once every response is ready; a notification's handler is left to
 * finish), and the SDK's teardown (an Error with its stack, abort signals) was a tenth of a millisecond on every
 * call's latency in local workerd.
 */
export async function answerLegacyRequestAsJson(
  server: McpServer,
  request: Request,
  options: { authInfo?: AuthInfo; parsedBody: unknown },
): Promise<Response> {
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  try {
    await server.connect(transport);
    // With JSON responses the transport resolves only once every response of the request (or batch) is ready.
    return await transport.handleRequest(request, options);
  } catch (error) {
    // As agents' lane answers a failure: a JSON-RPC internal error, nothing of the cause.
    console.error('mcp: request failed', error instanceof Error ? error.name : 'unknown');
    return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal server error');
  } finally {
    afterResponse('mcp: closing the server', () => server.close());
  }
}
