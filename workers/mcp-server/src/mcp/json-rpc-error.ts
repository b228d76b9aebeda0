// JSON-RPC error responses for requests refused before they reach the MCP server (wrong method, bad body, unknown session).

/** JSON-RPC 2.0 and MCP error codes used at the HTTP layer. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InternalError: -32603,
  /** SDK convention for transport-level refusals (method not allowed, not acceptable, …). */
  ConnectionRefused: -32000,
  /** SDK convention for an unknown or expired session. */
  SessionNotFound: -32001,
} as const;

/** A JSON-RPC error object with `id: null` (the request could not be identified), as the SDK answers. */
export function jsonRpcErrorResponse(status: number, code: number, message: string, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  });
}

/** 405 with the `Allow` header naming what the endpoint accepts. */
export function methodNotAllowed(allow: string): Response {
  return jsonRpcErrorResponse(405, JsonRpcErrorCode.ConnectionRefused, `Method not allowed. Use ${allow}.`, { Allow: allow });
}
