// Builds an McpServer with every tool registered, wired to this Worker's env; used by both transports.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { mcpServer } from '../../../../system/system.js';
import { getUpstreamAccessToken } from '../upstream/index.js';
import { registerTools } from './tools/index.js';

/** Version reported in `initialize` (serverInfo.version). */
const SERVER_VERSION = '1.0.0';

const INSTRUCTIONS =
  "Tools for the signed-in user's todos: whoami shows who is signed in and what was granted; " +
  'list-todos, add-todo, complete-todo and delete-todo manage todos; list-billing shows billing ' +
  'information when the connection was granted read:billing.';

/**
 * A fresh server: cheap (no I/O; schemas are converted only on tools/list), so /mcp builds one
 * per request and each SSE session owns one.
 */
export function createMcpServer(env: Env): McpServer {
  const server = new McpServer(
    { name: mcpServer.workerName, title: 'Todos (Auth0-secured MCP server)', version: SERVER_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  registerTools(server, {
    api: env,
    upstreamAccessToken: (props) => getUpstreamAccessToken(env, props),
  });
  return server;
}
