// The one place that puts every MCP tool on a server; both transports (/mcp and /sse) call it.
import type { McpServer } from '@modelcontextprotocol/server';
import { registerBillingTools } from './billing.tools.js';
import { registerIdentityTools } from './identity.tools.js';
import { registerTodosTools } from './todos.tools.js';
import type { ToolContext } from './tool-context.js';

export function registerTools(server: McpServer, context: ToolContext): void {
  registerIdentityTools(server, context);
  registerTodosTools(server, context);
  registerBillingTools(server, context);
}
