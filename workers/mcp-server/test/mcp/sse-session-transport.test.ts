// The Durable Object side SSE transport: framing, keep-alives, closing, and the SDK's scope-challenge hook.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMcpServer } from '../../src/mcp/create-mcp-server.js';
import { SSE_KEEP_ALIVE_MS, SseSessionTransport } from '../../src/mcp/sse/sse-session-transport.js';

function openTransport(): { transport: SseSessionTransport; read: () => Promise<string>; stream: ReadableStream<Uint8Array> } {
  let transport!: SseSessionTransport;
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      transport = new SseSessionTransport(controller);
    },
  });
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const read = async () => {
    const { value, done } = await reader.read();
    return done ? '<done>' : decoder.decode(value);
  };
  return { transport, read, stream };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SseSessionTransport', () => {
  it('should frame the endpoint and JSON-RPC messages as SSE events', async () => {
    const { transport, read } = openTransport();
    await transport.start();
    transport.sendEndpoint('/sse/message?sessionId=abc');
    expect(await read()).toBe('event: endpoint\ndata: /sse/message?sessionId=abc\n\n');
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(await read()).toBe('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
    await transport.close();
  });

  it('should send a keep-alive comment every 25 seconds', async () => {
    vi.useFakeTimers();
    const { transport, read } = openTransport();
    await transport.start();
    vi.advanceTimersByTime(SSE_KEEP_ALIVE_MS);
    expect(SSE_KEEP_ALIVE_MS).toBe(25_000);
    expect(await read()).toBe(': keepalive\n\n');
    await transport.close();
  });

  it('should hand delivered messages to onmessage with their auth info', () => {
    const { transport } = openTransport();
    const onmessage = vi.fn();
    transport.onmessage = onmessage;
    const authInfo = { token: '', clientId: 'c', scopes: [], extra: { mcpProps: 'x' } };
    transport.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' }, authInfo);
    expect(onmessage).toHaveBeenCalledWith({ jsonrpc: '2.0', method: 'notifications/initialized' }, { authInfo });
  });

  it('should end the stream, call onclose once, and refuse to send after close', async () => {
    const { transport, read } = openTransport();
    const onclose = vi.fn();
    transport.onclose = onclose;
    await transport.start();
    await transport.close();
    await transport.close();
    expect(onclose).toHaveBeenCalledTimes(1);
    expect(transport.closed).toBe(true);
    expect(await read()).toBe('<done>');
    await expect(transport.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow('SSE session is closed');
  });

  // Undocumented in SDK 2.4.0 (pinned): if McpServer.connect() stops handing over its resolver, /sse/message would
  // run tools without their permission checks; the session object refuses to open a stream then, and this fails.
  it("should receive the server's scope-challenge resolver on connect and apply the tools' own challenges", async () => {
    const { transport } = openTransport();
    // The real tools, each declaring its permission (list-billing: read:billing).
    const server = createMcpServer(env as Env);
    expect(transport.checksScopes).toBe(false);
    await server.connect(transport);
    expect(transport.checksScopes).toBe(true);
    const call = (name: string) => [{ jsonrpc: '2.0' as const, id: 1, method: 'tools/call', params: { name, arguments: {} } }];
    const auth = (scopes: string[]) => ({ token: '', clientId: 'c', scopes, extra: {} });
    expect(await transport.scopeChallengeFor(call('list-billing'), auth(['read:todos']))).toEqual({
      scopes: ['read:todos', 'read:billing'],
    });
    expect(await transport.scopeChallengeFor(call('list-billing'), auth(['read:todos', 'read:billing']))).toBeUndefined();
    expect(await transport.scopeChallengeFor(call('whoami'), auth([]))).toBeUndefined();
    await server.close();
  });
});
