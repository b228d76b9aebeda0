// SDK v2 Transport for one legacy SSE session inside its Durable Object: messages in via deliver(), out on the event stream.
import {
  type AuthInfo,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type ScopeChallenge,
  type ScopeChallengeHandler,
  type Transport,
} from '@modelcontextprotocol/server';

/** Interval between SSE comment frames, in milliseconds: below common 30–60 s proxy idle timeouts. */
export const SSE_KEEP_ALIVE_MS = 25_000;

const encoder = new TextEncoder();

export class SseSessionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  readonly #controller: ReadableStreamDefaultController<Uint8Array>;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #scopeChallenge: ScopeChallengeHandler | undefined;

  /** @param controller the controller of the event stream the client is reading. */
  constructor(controller: ReadableStreamDefaultController<Uint8Array>) {
    this.#controller = controller;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * McpServer.connect() hands a transport that has this method the resolver of the tools' own
   * `scopeChallenge`s, as it does for the SDK's HTTP transport (undocumented in SDK 2.4.0, which is
   * pinned; a test fails if the hook stops being called). The same per-tool permissions then hold on /sse.
   */
  setScopeChallengeResolver(resolver: ScopeChallengeHandler): void {
    this.#scopeChallenge = resolver;
  }

  /** True once the server has handed over its scope-challenge resolver. */
  get checksScopes(): boolean {
    return this.#scopeChallenge !== undefined;
  }

  /** The first scope challenge among the requests (undefined when all may run), before any is delivered. */
  async scopeChallengeFor(messages: JSONRPCMessage[], authInfo: AuthInfo): Promise<ScopeChallenge | undefined> {
    if (!this.#scopeChallenge) return undefined;
    for (const message of messages) {
      if (!isJSONRPCRequest(message)) continue;
      const challenge = await this.#scopeChallenge({ request: message, authInfo });
      if (challenge) return challenge;
    }
    return undefined;
  }

  async start(): Promise<void> {
    this.#keepAlive = setInterval(() => this.#write(': keepalive\n\n'), SSE_KEEP_ALIVE_MS);
  }

  /** Announces where to POST messages (legacy transport, protocol 2024-11-05). */
  sendEndpoint(endpoint: string): void {
    this.#write(`event: endpoint\ndata: ${endpoint}\n\n`);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error('SSE session is closed');
    this.#write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** A client message from POST /sse/message, with the auth of THAT request. */
  deliver(message: JSONRPCMessage, authInfo: AuthInfo): void {
    this.onmessage?.(message, { authInfo });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keepAlive !== undefined) clearInterval(this.#keepAlive);
    try {
      this.#controller.close();
    } catch {
      // Already closed or cancelled by the client: nothing left to flush.
    }
    this.onclose?.();
  }

  #write(frame: string): void {
    if (this.#closed) return;
    try {
      this.#controller.enqueue(encoder.encode(frame));
    } catch (error) {
      // The reader is gone: end the session rather than keep writing into the void.
      this.onerror?.(error instanceof Error ? error : new Error('SSE write failed'));
      void this.close();
    }
  }
}
