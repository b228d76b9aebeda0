// Legacy HTTP+SSE transport (re-exports only).
export { McpSseSession } from './mcp-sse-session.js';
export { sseHandler, SSE_MESSAGE_PATH, SSE_PATH } from './sse-handler.js';
