// Bench control: the MCP server's transport setup (stateless /mcp, JSON responses, a server per request) with one
// trivial tool and no OAuth, no Durable Object, no API call. `/noop` is the bare HTTP baseline in the same Worker.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

const validator = new AjvJsonSchemaValidator();

function createServer(): McpServer {
  const server = new McpServer({ name: 'mcp-sdk-floor', version: '1.0.0' }, { capabilities: { tools: {} }, jsonSchemaValidator: validator });
  // Same result shape as the real list-todos with an empty list: text content plus structured content.
  server.registerTool('list-todos', { description: 'Answers an empty list at once.' }, () => ({
    content: [{ type: 'text', text: JSON.stringify({ todos: [] }, null, 2) }],
    structuredContent: { todos: [] },
  }));
  return server;
}

export default {
  async fetch(request: Request, _env: unknown, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/noop') return new Response('ok');
    if (pathname !== '/mcp') return new Response(null, { status: 404 });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const server = createServer();
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      ctx.waitUntil(server.close());
    }
  },
};
