// The one place that puts every MCP tool on a server; both transports (/mcp and /sse) call it.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { auditedToolServer } from '../../audit/record-tool-call.js';
import { registerBillingTools } from './billing.tools.js';
import { registerIdentityTools } from './identity.tools.js';
import { registerTodosTools } from './todos.tools.js';
import type { ToolContext } from './tool-context.js';

export function registerTools(server: McpServer, context: ToolContext): void {
  // The audit hook: every tool below is registered through it, so every call is recorded (src/audit).
  const audited = auditedToolServer(server);
  registerIdentityTools(audited, context);
  registerTodosTools(audited, context);
  registerBillingTools(audited, context);
}
