// Identity tools: who the signed-in user is, straight from the grant (no API call).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { mcpPropsOf } from '../mcp-request-auth.js';
import type { ToolContext } from './tool-context.js';
import { jsonResult, toolError, toolMessages } from './tool-result.js';

export function registerIdentityTools(server: McpServer, _context: ToolContext): void {
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description:
        "Returns the signed-in user's identity claims (from the identity provider's ID token) and the Todos API scopes this connection was granted.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (extra) => {
      const props = mcpPropsOf(extra);
      if (!props) return toolError(toolMessages.noUser);
      // Only the claims and the granted scopes: the props also hold tokens, which must never leave.
      const scopes = props.upstream.scope.split(' ').filter((scope) => scope.length > 0);
      return jsonResult({ claims: { ...props.claims }, scopes });
    },
  );
}
