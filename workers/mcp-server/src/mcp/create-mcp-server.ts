// Builds an McpServer with every tool registered, wired to this Worker's env; used by both transports.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { mcpServer } from '../../../../system/system.js';
import { getUpstreamAccessToken } from '../upstream/get-upstream-access-token.js';
import { registerTools } from './tools/register-tools.js';
import type { ToolContext } from './tools/tool-context.js';

/** Version reported in `initialize` (serverInfo.version). */
const SERVER_VERSION = '1.0.0';

const INSTRUCTIONS =
  "Tools for the signed-in user's todos: whoami shows who is signed in and what was granted; " +
  'list-todos, add-todo, complete-todo and delete-todo manage todos; list-billing shows billing ' +
  'information when the connection was granted read:billing.';

/**
 * The SDK builds a new Ajv instance for every server unless given one, and that costs about 1 ms of
 * CPU: more than the rest of a stateless /mcp request's MCP layer. This server never validates
 * JSON Schemas itself (no elicitation), so one instance per isolate serves every server. Created
 * lazily, so an isolate that only serves OAuth pages never pays for it.
 */
let sharedSchemaValidator: AjvJsonSchemaValidator | undefined;

/**
 * A fresh server: cheap (no I/O; tool schemas are built once per isolate and converted to JSON
 * Schema only on tools/list), so /mcp builds one per request and each SSE session owns one.
 */
export function createMcpServer(env: Env, hooks: Pick<ToolContext, 'onReauthRequired'> = {}): McpServer {
  const server = new McpServer(
    { name: mcpServer.workerName, title: 'Todos (Auth0-secured MCP server)', version: SERVER_VERSION },
    {
      capabilities: { tools: {} },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: (sharedSchemaValidator ??= new AjvJsonSchemaValidator()),
    },
  );
  registerTools(server, {
    api: env,
    upstreamAccessToken: (props) => getUpstreamAccessToken(env, props),
    ...hooks,
  });
  return server;
}
