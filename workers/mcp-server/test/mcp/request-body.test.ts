// Request bodies: bounded reads (declared length or counted stream), and the one read in front of the Streamable HTTP handlers.
import { describe, expect, it } from 'vitest';
import { type McpPost, readBoundedText, readMcpPost } from '../../src/mcp/request-body.js';

const URL_ = 'https://mcp.example.test/mcp';
const LIMIT = 64;

function post(body: string, headers: Record<string, string>): Request {
  return new Request(URL_, { method: 'POST', headers, body });
}

function declared(body: string, contentType = 'application/json'): Record<string, string> {
  return { 'Content-Type': contentType, 'Content-Length': String(new TextEncoder().encode(body).byteLength) };
}

describe('readMcpPost', () => {
  /** A body of unknown length, as a chunked upload arrives. */
  function chunked(text: string): Request {
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    return new Request(URL_, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'Mcp-Protocol-Version': '2025-11-25' },
    });
  }

  it('should read a body of declared length once and hand it on parsed, with the request for its headers', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const request = post(body, declared(body));
    expect(await readMcpPost(request, LIMIT)).toEqual({ request, parsedBody: { jsonrpc: '2.0', id: 1, method: 'ping' } });
  });

  it('should hand on a batch (a JSON array) parsed too', async () => {
    const body = '[{"jsonrpc":"2.0","method":"x"}]';
    expect((await readMcpPost(post(body, declared(body)), LIMIT)) as McpPost).toMatchObject({ parsedBody: [{ method: 'x' }] });
  });

  it.each([
    ['not JSON', '{"jsonrpc":'],
    ['a JSON scalar', '42'],
    ['JSON null', 'null'],
  ])('should hand on %s as a fresh request with the same text, unparsed, for the SDK to answer', async (_, body) => {
    const result = (await readMcpPost(post(body, declared(body)), LIMIT)) as McpPost;
    expect(result.parsedBody).toBeUndefined();
    expect(result.request.method).toBe('POST');
    expect(await result.request.text()).toBe(body);
  });

  it('should pass a request without a body untouched', async () => {
    const request = new Request(URL_, { method: 'GET' });
    expect(await readMcpPost(request, LIMIT)).toEqual({ request });
  });

  it('should refuse a declared length over the limit with a JSON-RPC 413, without reading', async () => {
    const request = post('{}', { 'Content-Type': 'application/json', 'Content-Length': String(LIMIT + 1) });
    const result = await readMcpPost(request, LIMIT);
    expect(result).toBeInstanceOf(Response);
    const response = result as Response;
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message: `Payload Too Large: request body must not exceed ${LIMIT} bytes` },
    });
    expect(request.bodyUsed).toBe(false);
  });

  it('should read a body of unknown length and parse the same bytes', async () => {
    const result = (await readMcpPost(chunked('{"t":"é€"}'), LIMIT)) as McpPost;
    expect(result.parsedBody).toEqual({ t: 'é€' });
    expect(result.request.headers.get('Mcp-Protocol-Version')).toBe('2025-11-25');
  });

  it('should refuse a body of unknown length once it passes the limit', async () => {
    const result = await readMcpPost(chunked('x'.repeat(LIMIT + 1)), LIMIT);
    expect((result as Response).status).toBe(413);
  });
});

describe('readBoundedText', () => {
  /** A body of unknown length, as a chunked upload arrives. */
  function streamed(chunks: string[]): Request {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    });
    return new Request(URL_, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  }

  it('should read a body with a declared length within the limit', async () => {
    expect(await readBoundedText(post('{"a":1}', declared('{"a":1}')), LIMIT)).toBe('{"a":1}');
  });

  it('should refuse a declared length over the limit without reading', async () => {
    const request = post('{}', { 'Content-Length': String(LIMIT + 1) });
    expect(await readBoundedText(request, LIMIT)).toBeUndefined();
    expect(request.bodyUsed).toBe(false);
  });

  it('should count a body of unknown length, multi-byte characters included', async () => {
    expect(await readBoundedText(streamed(['{"t":"é', '€"}']), LIMIT)).toBe('{"t":"é€"}');
  });

  it('should refuse a body of unknown length once it passes the limit', async () => {
    expect(await readBoundedText(streamed(['x'.repeat(LIMIT), 'y']), LIMIT)).toBeUndefined();
  });
});

describe('a Content-Length that understates the body (a request built inside the runtime)', () => {
  const oversized = () => post(`"${'x'.repeat(LIMIT)}"`, { 'Content-Type': 'application/json', 'Content-Length': '2' });

  it('should be refused by readBoundedText', async () => {
    expect(await readBoundedText(oversized(), LIMIT)).toBeUndefined();
  });

  it('should count bytes, not characters, near the limit', async () => {
    const body = `"${'é'.repeat(LIMIT / 2)}"`; // LIMIT + 2 bytes in LIMIT / 2 + 2 characters
    expect(await readBoundedText(post(body, { 'Content-Type': 'application/json', 'Content-Length': '2' }), LIMIT)).toBeUndefined();
  });
});
