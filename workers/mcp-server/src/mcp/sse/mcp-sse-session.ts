// Durable Object owning one legacy SSE session: the open event stream, its McpServer, and the user it belongs to.
import { DurableObject } from 'cloudflare:workers';
import { isJSONRPCRequest, type JSONRPCMessage, type McpServer } from '@modelcontextprotocol/server';
import { createMcpServer } from '../create-mcp-server.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from '../json-rpc-error.js';
import { type SessionAuth, sessionAuthInfo } from '../mcp-request-auth.js';
import { toolError, toolMessages } from '../tools/tool-result.js';
import { SseSessionTransport } from './sse-session-transport.js';

/** Headers the Worker sets on the internal connect request (never taken from a client request). */
export const SSE_CONNECT_HEADERS = {
  sessionId: 'X-Mcp-Sse-Session-Id',
  userSub: 'X-Mcp-Sse-User-Sub',
  grantKey: 'X-Mcp-Sse-Grant-Key',
  endpoint: 'X-Mcp-Sse-Endpoint',
} as const;

/** Outcome of delivering client messages to a session. */
export type SseDeliveryResult = { kind: 'accepted' } | { kind: 'unknown_session' } | { kind: 'forbidden' };

interface OpenSession {
  id: string;
  /** The user (`sub`) who opened the stream. */
  userSub: string;
  /** The grant (one user, one client) whose token opened it: only tokens of that grant may post to it. */
  grantKey: string;
  transport: SseSessionTransport;
  server: McpServer;
}

/**
 * One instance per session (`idFromName(sessionId)`), so every POST reaches the isolate holding
 * the stream. State is in memory only: the session lives exactly as long as its stream, and an
 * open stream keeps the object resident.
 */
export class McpSseSession extends DurableObject<Env> {
  #session: OpenSession | undefined;

  /** Opens the event stream (internal request from the Worker's GET /sse). */
  override async fetch(request: Request): Promise<Response> {
    const id = request.headers.get(SSE_CONNECT_HEADERS.sessionId);
    const userSub = request.headers.get(SSE_CONNECT_HEADERS.userSub);
    const endpoint = request.headers.get(SSE_CONNECT_HEADERS.endpoint);
    const grantKey = request.headers.get(SSE_CONNECT_HEADERS.grantKey);
    if (!id || !userSub || !endpoint || !grantKey) {
      return jsonRpcErrorResponse(400, JsonRpcErrorCode.InvalidRequest, 'Bad internal connect request');
    }
    if (this.#session) {
      return jsonRpcErrorResponse(409, JsonRpcErrorCode.ConnectionRefused, 'Session already has an open stream');
    }

    let transport!: SseSessionTransport;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        transport = new SseSessionTransport(controller);
      },
      // The client went away: end the session so later POSTs get 404 and nothing keeps ticking.
      cancel: () => transport.close(),
    });
    const server = createMcpServer(this.env);
    // Set before connect(): the SDK chains its own close handling after ours.
    transport.onclose = () => {
      if (this.#session?.transport === transport) this.#session = undefined;
    };
    await server.connect(transport);
    if (!transport.checksScopes) {
      // Fail closed: without the SDK's resolver, the tools' permission checks would not run on this session.
      await server.close();
      console.error('mcp sse: the SDK did not hand over its scope-challenge resolver');
      return jsonRpcErrorResponse(500, JsonRpcErrorCode.InternalError, 'Internal error');
    }
    this.#session = { id, userSub, grantKey, transport, server };
    transport.sendEndpoint(endpoint);

    return new Response(stream, {
      headers: {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      },
    });
  }

  /**
   * Hands client messages to the session's server, with the auth of the POST being answered (so
   * tools always act with the grant as it is now). The tools' scope challenges run first: a
   * request the grant may not make is refused as a whole, and nothing of it runs.
   */
  async deliver(sessionId: string, auth: SessionAuth, messages: JSONRPCMessage[]): Promise<SseDeliveryResult> {
    const session = this.#session;
    if (!session || session.id !== sessionId || session.transport.closed) return { kind: 'unknown_session' };
    // Bound to the grant, not only the user: another app of the same user cannot post into this session.
    if (session.userSub !== auth.props.claims.sub || session.grantKey !== auth.props.grantKey) return { kind: 'forbidden' };
    const authInfo = sessionAuthInfo(auth);
    for (const message of messages) {
      const challenge = await session.transport.scopeChallengeFor([message], authInfo);
      // Legacy SSE has no HTTP status per call and its clients do not step up: the call is answered, on the stream,
      // with a tool result naming what is missing and how to get it. The tool never runs.
      if (challenge && isJSONRPCRequest(message)) {
        const missing = challenge.scopes.filter((scope) => !authInfo.scopes.includes(scope));
        await session.transport.send({ jsonrpc: '2.0', id: message.id, result: toolError(toolMessages.reconnectToGrant(missing)) });
      } else session.transport.deliver(message, authInfo);
    }
    return { kind: 'accepted' };
  }
}
