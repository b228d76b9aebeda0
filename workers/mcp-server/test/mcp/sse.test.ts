// /sse + /sse/message (legacy HTTP+SSE): stream opening, messages answered on the stream, and session ownership.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sseHandler } from '../../src/mcp/sse/sse-handler.js';
import type { McpProps } from '../../src/props.js';
import { aliceProps, bobProps, handlerContext } from './support/mcp-test-context.js';
import { SseReader } from './support/sse-reader.js';
import { resetUpstreamStub } from './support/upstream-stub.js';

vi.mock('../../src/upstream/get-upstream-access-token.js', async (importOriginal) => {
  const stub = await import('./support/upstream-stub.js');
  return { ...(await importOriginal<object>()), getUpstreamAccessToken: stub.getUpstreamAccessTokenStub };
});
vi.mock('../../src/upstream/upstream-auth-error.js', async () => {
  const stub = await import('./support/upstream-stub.js');
  return { UpstreamAuthError: stub.StubUpstreamAuthError };
});

const ORIGIN = 'https://mcp.example.test';
const readers: SseReader[] = [];

beforeEach(() => resetUpstreamStub());

afterEach(async () => {
  await Promise.all(readers.splice(0).map((reader) => reader.cancel().catch(() => {})));
});

async function sse(path: string, props: McpProps, init?: RequestInit): Promise<Response> {
  const request = new Request(`${ORIGIN}${path}`, init);
  request.headers.set('Host', new URL(ORIGIN).host); // as every request from the network carries
  return sseHandler.fetch(request, env, handlerContext(props));
}

/** Opens a stream and returns its reader and the announced message endpoint. */
async function openSession(props: McpProps = aliceProps()): Promise<{ reader: SseReader; endpoint: string; sessionId: string }> {
  const response = await sse('/sse', props, { headers: { Accept: 'text/event-stream' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('text/event-stream');
  const reader = new SseReader(response);
  readers.push(reader);
  const first = await reader.next();
  expect(first.event).toBe('endpoint');
  const endpoint = first.data;
  const sessionId = new URL(endpoint, ORIGIN).searchParams.get('sessionId') ?? '';
  return { reader, endpoint, sessionId };
}

async function post(endpoint: string, props: McpProps, message: unknown): Promise<Response> {
  return sse(endpoint, props, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message) });
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'sse-test', version: '1.0.0' } },
};

describe('/sse stream', () => {
  it('should announce a message endpoint with a random 128-bit session id', async () => {
    const { endpoint, sessionId } = await openSession();
    expect(endpoint).toBe(`/sse/message?sessionId=${sessionId}`);
    expect(sessionId).toMatch(/^[0-9a-f]{32}$/);
    const other = await openSession();
    expect(other.sessionId).not.toBe(sessionId);
  });

  it('should answer initialize, tools/list and tools/call on the stream, each POST with 202', async () => {
    const { reader, endpoint } = await openSession();

    const accepted = await post(endpoint, aliceProps(), initialize);
    expect(accepted.status).toBe(202);
    const init = await reader.nextMessage();
    expect(init).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'mcp-auth0-oidc' }, capabilities: { tools: {} } } });

    expect((await post(endpoint, aliceProps(), { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);

    expect((await post(endpoint, aliceProps(), { jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(202);
    const list = (await reader.nextMessage()) as { id: number; result: { tools: { name: string }[] } };
    expect(list.id).toBe(2);
    expect(list.result.tools).toHaveLength(6);

    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
    expect((await post(endpoint, aliceProps(), call)).status).toBe(202);
    const whoami = (await reader.nextMessage()) as { id: number; result: { structuredContent: unknown } };
    expect(whoami.id).toBe(3);
    expect(whoami.result.structuredContent).toMatchObject({ claims: { sub: 'auth0|alice' } });
  });

  it("should run tools with each POST's current props, not those the stream was opened with", async () => {
    const { reader, endpoint } = await openSession(aliceProps({ scope: 'openid read:todos' }));
    await post(endpoint, aliceProps(), initialize);
    await reader.nextMessage();

    const refreshed = aliceProps({ accessToken: 'refreshed', scope: 'openid read:todos write:todos' });
    await post(endpoint, refreshed, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } });
    const whoami = (await reader.nextMessage()) as { result: { structuredContent: { scopes: string[] } } };
    expect(whoami.result.structuredContent.scopes).toEqual(['openid', 'read:todos', 'write:todos']);
  });

  it("should run Todos API tools in the session's Durable Object and relay refusals as tool errors", async () => {
    // This project's TODOS_API binding answers 503, so the call must surface as the retryable message.
    const { reader, endpoint } = await openSession();
    await post(endpoint, aliceProps(), initialize);
    await reader.nextMessage();
    await post(endpoint, aliceProps(), { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'list-todos', arguments: {} } });
    const result = (await reader.nextMessage()) as { id: number; result: { isError: boolean; content: { text: string }[] } };
    expect(result.id).toBe(4);
    expect(result.result.isError).toBe(true);
    expect(result.result.content[0]?.text).toBe('The Todos API is unavailable right now; try again.');
  });

  it('should refuse messages for the session from another app (grant) of the same user', async () => {
    const { reader, endpoint } = await openSession(aliceProps());
    try {
      const otherApp = { ...aliceProps(), grantKey: 'grant-of-another-app' };
      const response = await post(endpoint, otherApp, initialize);
      expect(response.status).toBe(403);
      expect((await post(endpoint, aliceProps(), initialize)).status).toBe(202);
    } finally {
      await reader.cancel();
    }
  });

  it('should refuse messages for the session from another user', async () => {
    const { reader, endpoint } = await openSession(aliceProps());
    const response = await post(endpoint, bobProps(), initialize);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { message: 'This session belongs to another user or app' },
    });
    // The owner's session is unaffected, and nothing was answered to Bob's message on it.
    expect((await post(endpoint, aliceProps(), initialize)).status).toBe(202);
    expect(await reader.nextMessage()).toMatchObject({ id: 1, result: { serverInfo: { name: 'mcp-auth0-oidc' } } });
  });

  it('should serve POST /sse as Streamable HTTP (http-first clients given the /sse URL)', async () => {
    const response = await sse('/sse', aliceProps(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('auth0|alice');
  });

  it('should answer 405 for other methods on /sse', async () => {
    const response = await sse('/sse', aliceProps(), { method: 'PUT', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, POST');
  });
});

describe('/sse/message refusals', () => {
  it('should answer 404 for an unknown session', async () => {
    const response = await post(`/sse/message?sessionId=${'0'.repeat(32)}`, aliceProps(), initialize);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001 } });
  });

  it('should answer 404 for a malformed session id', async () => {
    const response = await post('/sse/message?sessionId=../../etc', aliceProps(), initialize);
    expect(response.status).toBe(404);
  });

  it('should answer 400 when the session id is missing', async () => {
    const response = await post('/sse/message', aliceProps(), initialize);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
  });

  it('should answer 404 once the client has closed the stream', async () => {
    const { reader, endpoint } = await openSession();
    await reader.cancel();
    // Cancellation reaches the Durable Object asynchronously.
    await vi.waitFor(async () => expect((await post(endpoint, aliceProps(), initialize)).status).toBe(404), { timeout: 3000 });
  });

  it('should answer malformed JSON with a JSON-RPC parse error', async () => {
    const { endpoint } = await openSession();
    const response = await sse(endpoint, aliceProps(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"jsonrpc":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('should answer a non-JSON-RPC body with invalid request', async () => {
    const { endpoint } = await openSession();
    const response = await post(endpoint, aliceProps(), { hello: 'world' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
  });

  it('should answer a non-JSON content type with 415', async () => {
    const { endpoint } = await openSession();
    const response = await sse(endpoint, aliceProps(), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' });
    expect(response.status).toBe(415);
  });

  it('should refuse a body over 1 MiB with 413', async () => {
    const { endpoint } = await openSession();
    const response = await post(endpoint, aliceProps(), {
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(1024 * 1024) },
    });
    expect(response.status).toBe(413);
  });

  it('should answer 405 for GET on /sse/message', async () => {
    const response = await sse('/sse/message?sessionId=abc', aliceProps());
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('POST');
  });
});
