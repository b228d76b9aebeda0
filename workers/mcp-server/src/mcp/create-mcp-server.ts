// Builds an McpServer (MCP SDK v2) with every tool registered, wired to this Worker's env; used by every transport.
import { McpServer } from '@modelcontextprotocol/server';
import { mcpServer } from '../../../../system/system.js';
import { getUpstreamAccessToken } from '../upstream/get-upstream-access-token.js';
import { registerTools } from './tools/register-tools.js';
import type { ToolContext } from './tools/tool-context.js';

/** Version reported as serverInfo.version (`initialize`, and `_meta` on 2026-07-28 results). */
const SERVER_VERSION = '1.0.0';

const INSTRUCTIONS =
  "Tools for the signed-in user's todos: whoami shows who is signed in and what was granted; " +
  'list-todos, add-todo, complete-todo and delete-todo manage todos; list-billing shows billing ' +
  'information when the connection was granted read:billing.';

/**
 * Honest capabilities: tools only, and no `listChanged`. The SDK would advertise
 * `tools.listChanged: true` as soon as a tool is registered, but the tool list never changes and a
 * stateless /mcp has no stream to send the notification on.
 */
const CAPABILITIES = { tools: { listChanged: false } };

/**
 * A fresh server: cheap (no I/O; tool schemas are built once per isolate), so /mcp builds one per
 * request (the handler's factory) and each SSE session owns one.
 */
export function createMcpServer(env: Env, hooks: Pick<ToolContext, 'onReauthRequired'> = {}): McpServer {
  const server = new McpServer(
    { name: mcpServer.workerName, title: 'Todos (Auth0-secured MCP server)', version: SERVER_VERSION },
    { capabilities: CAPABILITIES, instructions: INSTRUCTIONS },
  );
  registerTools(server, {
    api: env,
    upstreamAccessToken: (props) => getUpstreamAccessToken(env, props),
    ...hooks,
  });
  return server;
}
