// Billing tools: the signed-in user's billing information (refused by design: read:billing is not requested).
import type { McpServer } from '@modelcontextprotocol/server';
import { callTodosApi } from '../todos-api-client.js';
import { registerTool } from './tool-call.js';
import type { ToolContext } from './tool-context.js';
import { apiFailureResult, jsonResult, withUpstreamToken } from './tool-result.js';

export function registerBillingTools(server: McpServer, context: ToolContext): void {
  registerTool(
    server,
    'list-billing',
    {
      title: 'Show billing information',
      description: "Shows the signed-in user's billing information.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, { props }) =>
      withUpstreamToken(context, props, async (token) => {
        const result = await callTodosApi(context.api, token, {
          method: 'GET',
          path: '/api/billing',
          requiredScope: 'read:billing',
        });
        if (!result.ok) return apiFailureResult(result.failure, { consequence: "billing information can't be shown" });
        return jsonResult(Array.isArray(result.data) ? { billing: result.data } : result.data);
      }),
  );
}
