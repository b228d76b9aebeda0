// One Streamable HTTP request on a fresh server: 2025-era POSTs on the JSON lane, the rest through agents' handler.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuthInfo, McpServer } from '@modelcontextprotocol/server';
import { isLegacyRequest } from '@modelcontextprotocol/server';
import { createMcpHandler } from 'agents/mcp/server';
import { answerLegacyRequestAsJson } from './legacy-json-lane.js';
import { MAX_MCP_BODY_BYTES, type McpPost } from './request-body.js';

/** agents' Host, Origin and CORS options, set by the Worker from its origin policy (src/mcp/origin-policy.ts). */
export interface McpOriginOptions {
  allowedHostnames: string[];
  allowedOriginHostnames: string[];
  corsOptions: { origin: string } | false;
}

export interface AnswerMcpRequestOptions {
  /** The exact path served (agents answers 404 on any other). */
  route: string;
  /** The verified token; absent only where nothing is behind OAuth (the bench's control Worker). */
  authInfo?: AuthInfo;
  originOptions: McpOriginOptions;
}

/**
 * A 2025-era POST (2025-11-25, 2025-06-18, 2025-03-26) goes to the JSON lane; everything else (2026-07-28, other
 * methods, a body that is not JSON) through agents' handler, which also owns the errors. Host and Origin were
 * checked by the Worker's entry for every MCP request, so on the JSON lane only the CORS header a browser needs to
 * read the answer is added. Either answer says it varies with `Origin`: CORS names the request's own origin.
 */
export async function answerMcpRequest(server: () => McpServer, post: McpPost, options: AnswerMcpRequestOptions): Promise<Response> {
  const response = await answerOnLane(server, post, options);
  response.headers.append('Vary', 'Origin');
  return response;
}

async function answerOnLane(server: () => McpServer, post: McpPost, options: AnswerMcpRequestOptions): Promise<Response> {
  const { request, parsedBody } = post;
  const { route, originOptions } = options;
  const auth = options.authInfo ? { authInfo: options.authInfo } : {};
  const onRoute = request.method === 'POST' && new URL(request.url).pathname === route;
  if (parsedBody !== undefined && onRoute && (await isLegacyRequest(request, parsedBody))) {
    return withCorsHeader(await answerLegacyRequestAsJson(server(), request, { ...auth, parsedBody }), originOptions.corsOptions);
  }
  return requestServer.run(server, () =>
    handlerFor(route, originOptions).fetch(request, { ...auth, ...(parsedBody === undefined ? {} : { parsedBody }) }),
  );
}

type AgentsMcpHandler = ReturnType<typeof createMcpHandler>;

/**
 * agents' handlers, built once per isolate for each route and set of origin options (the options are fixed at
 * construction; CORS names the request's own allowed origin, so a browser origin gets its own). Building one per
 * request, with the SDK's event bus, listen router and legacy lane inside, cost about 0.15 ms on every 2026-07-28
 * call in local workerd. Bounded: past the cap the cache starts over. Shared with the handler: the SDK's cap on open
 * `subscriptions/listen` streams (1024) now counts per isolate; this server advertises no notifications, so such a
 * stream never carries one.
 */
const handlers = new Map<string, AgentsMcpHandler>();
const MAX_HANDLERS = 32;

/** The server factory of the request being served: the handler is shared, and each request brings its env and grant. */
const requestServer = new AsyncLocalStorage<() => McpServer>();

function handlerFor(route: string, originOptions: McpOriginOptions): AgentsMcpHandler {
  const key = JSON.stringify([route, originOptions]);
  let handler = handlers.get(key);
  if (!handler) {
    if (handlers.size >= MAX_HANDLERS) handlers.clear();
    handler = createMcpHandler(serverOfThisRequest, {
      route,
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
      ...originOptions,
      onerror: (error) => console.error('mcp: request failed', error.name),
    });
    handlers.set(key, handler);
  }
  return handler;
}

function serverOfThisRequest(): McpServer {
  const server = requestServer.getStore();
  // Only reachable if the handler were called outside answerOnLane; the SDK answers it as an internal error.
  if (!server) throw new Error('no MCP server factory for this request');
  return server();
}

/** The header of agents' CORS set that matters on a POST's answer (the others are for its preflight answers). */
function withCorsHeader(response: Response, cors: McpOriginOptions['corsOptions']): Response {
  if (cors !== false) response.headers.set('Access-Control-Allow-Origin', cors.origin);
  return response;
}
