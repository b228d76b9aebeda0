// The MCP endpoints the OAuth provider mounts: /mcp (Streamable HTTP), /sse (legacy SSE) and its Durable Object (re-exports only).
export { McpSseSession, sseHandler } from './sse/index.js';
export { streamableHttpHandler, type McpHandlerContext } from './streamable-http-handler.js';
