// Identity tools: who the signed-in user is, straight from the grant (no API call).
import type { McpServer } from '@modelcontextprotocol/server';
import { registerTool } from './tool-call.js';
import type { ToolContext } from './tool-context.js';
import { jsonResult } from './tool-result.js';

export function registerIdentityTools(server: McpServer, _context: ToolContext): void {
  registerTool(
    server,
    'whoami',
    {
      title: 'Who am I',
      description:
        "Returns the signed-in user's identity claims (from the identity provider's ID token) and the Todos API scopes this connection was granted.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, { props }) => {
      // Only the claims and the granted scopes: the props also hold tokens, which must never leave.
      const scopes = props.upstream.scope.split(' ').filter((scope) => scope.length > 0);
      return jsonResult({ claims: { ...props.claims }, scopes });
    },
  );
}
