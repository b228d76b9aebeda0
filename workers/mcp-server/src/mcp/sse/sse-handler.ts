// /sse and /sse/message: the legacy HTTP+SSE transport (one McpSseSession Durable Object per stream), and POST /sse as Streamable HTTP.
import { type JSONRPCMessage, parseJSONRPCMessage } from '@modelcontextprotocol/server';
import { mcpServer } from '../../../../../system/system.js';
import { refuseMcpOverLimit } from '../../abuse/rate-limit.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse, methodNotAllowed } from '../json-rpc-error.js';
import { isCompleteResourceAuth, type McpHandlerContext, sessionAuthOf } from '../mcp-request-auth.js';
import { isJsonMediaType, MAX_MCP_BODY_BYTES, payloadTooLarge, readBoundedText } from '../request-body.js';
import { streamableHttpHandler } from '../streamable-http-handler.js';
import type { McpSseSession, SseDeliveryResult } from './mcp-sse-session.js';
import { SSE_CONNECT_HEADERS } from './mcp-sse-session.js';
import { isSseSessionId, newSseSessionId } from './sse-session-id.js';

/** Where the client opens the event stream. */
export const SSE_PATH = mcpServer.paths.sse;
/** Where the client POSTs its messages (announced in the `endpoint` event). */
export const SSE_MESSAGE_PATH = `${mcpServer.paths.sse}/message`;

/** Largest number of messages accepted in one POSTed batch. */
const MAX_BATCH = 100;

/**
 * POST /sse is Streamable HTTP, as /mcp: clients that try Streamable HTTP first on the URL they were
 * given (the tutorial's /sse: mcp-remote, Claude) are served there instead of meeting a 405.
 */
const sseStreamableHttp = streamableHttpHandler(SSE_PATH, 'GET, POST');

export const sseHandler = {
  async fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    // POST /sse is counted by the Streamable HTTP handler it goes to.
    if (!(pathname === SSE_PATH && request.method === 'POST')) {
      const limited = await refuseMcpOverLimit(env, ctx);
      if (limited) return limited;
    }
    if (pathname === SSE_PATH) {
      return request.method === 'GET' ? openStream(env, ctx) : sseStreamableHttp.fetch(request, env, ctx);
    }
    if (pathname === SSE_MESSAGE_PATH) {
      return request.method === 'POST' ? postMessage(request, env, ctx) : methodNotAllowed('POST');
    }
    return jsonRpcErrorResponse(404, JsonRpcErrorCode.ConnectionRefused, 'Not found');
  },
};

async function openStream(env: Env, ctx: McpHandlerContext): Promise<Response> {
  const sessionId = newSseSessionId();
  const session = sessionStub(env, sessionId);
  // Relative, as the SDK's SSE server transport sends it: the client resolves it against /sse.
  const endpoint = `${SSE_MESSAGE_PATH}?sessionId=${sessionId}`;
  try {
    return await session.fetch('https://mcp-sse-session/connect', {
      headers: {
        [SSE_CONNECT_HEADERS.sessionId]: sessionId,
        [SSE_CONNECT_HEADERS.userSub]: ctx.props.claims.sub,
        [SSE_CONNECT_HEADERS.grantKey]: ctx.props.grantKey,
        [SSE_CONNECT_HEADERS.endpoint]: endpoint,
      },
    });
  } catch (error) {
    return sessionUnavailable(error);
  }
}

async function postMessage(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response> {
  const sessionId = new URL(request.url).searchParams.get('sessionId');
  if (sessionId === null) {
    return jsonRpcErrorResponse(400, JsonRpcErrorCode.InvalidRequest, 'Missing sessionId query parameter');
  }
  // A malformed id cannot name a session: same answer as an unknown one, without a lookup.
  if (!isSseSessionId(sessionId)) return sessionNotFound();
  // Fail closed, as on /mcp: the scope checks need the verified token's scopes.
  if (!isCompleteResourceAuth(ctx.auth)) {
    console.error('mcp sse: the verified token is incomplete; refusing instead of running tools unchecked');
    return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
  }

  const parsed = await readMessages(request);
  if (parsed instanceof Response) return parsed;

  const session = sessionStub(env, sessionId);
  let result: SseDeliveryResult;
  try {
    result = await session.deliver(sessionId, sessionAuthOf(ctx.auth, ctx.props), parsed);
  } catch (error) {
    return sessionUnavailable(error);
  }
  return deliveryResponse(result);
}

function deliveryResponse(result: SseDeliveryResult): Response {
  switch (result.kind) {
    case 'accepted':
      return new Response('Accepted', { status: 202, headers: { 'Content-Type': 'text/plain' } });
    case 'forbidden':
      return jsonRpcErrorResponse(403, JsonRpcErrorCode.ConnectionRefused, 'This session belongs to another user or app');
    case 'unknown_session':
      return sessionNotFound();
  }
}

/** The Durable Object of a session. Typed here because generated Env types may not name the class. */
function sessionStub(env: Env, sessionId: string): DurableObjectStub<McpSseSession> {
  const namespace = env.MCP_SSE_SESSION as DurableObjectNamespace<McpSseSession>;
  return namespace.get(namespace.idFromName(sessionId));
}

/** The Durable Object failed (reset, overloaded): retryable, and the client may reconnect. */
function sessionUnavailable(error: unknown): Response {
  console.error('mcp sse: session object failed', error instanceof Error ? error.name : 'unknown');
  return jsonRpcErrorResponse(503, JsonRpcErrorCode.ConnectionRefused, 'The session is unavailable right now; try again or reconnect', {
    'Retry-After': '1',
  });
}

function sessionNotFound(): Response {
  return jsonRpcErrorResponse(404, JsonRpcErrorCode.SessionNotFound, 'Session not found: open a new stream with GET /sse');
}

/** The POSTed JSON-RPC message(s), or the error response explaining why they were refused. */
async function readMessages(request: Request): Promise<JSONRPCMessage[] | Response> {
  if (!isJsonMediaType(request.headers.get('Content-Type'))) {
    return jsonRpcErrorResponse(415, JsonRpcErrorCode.ConnectionRefused, 'Unsupported Media Type: Content-Type must be application/json');
  }
  const text = await readBoundedText(request, MAX_MCP_BODY_BYTES);
  if (text === undefined) return payloadTooLarge(MAX_MCP_BODY_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return jsonRpcErrorResponse(400, JsonRpcErrorCode.ParseError, 'Parse error: Invalid JSON');
  }
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0 || items.length > MAX_BATCH) {
    return jsonRpcErrorResponse(400, JsonRpcErrorCode.InvalidRequest, `Invalid Request: send 1 to ${MAX_BATCH} messages`);
  }
  const messages: JSONRPCMessage[] = [];
  for (const item of items) {
    try {
      messages.push(parseJSONRPCMessage(item));
    } catch {
      return jsonRpcErrorResponse(400, JsonRpcErrorCode.InvalidRequest, 'Invalid Request: not a JSON-RPC 2.0 message');
    }
  }
  return messages;
}
