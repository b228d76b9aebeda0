// Request bodies: bounded reads (declared length or counted stream), and /mcp's preparsed JSON that leaves every other request to the SDK.
import { describe, expect, it } from 'vitest';
import { preparseJsonBody, readBoundedText } from '../../src/mcp/request-body.js';

const URL_ = 'https://mcp.example.test/mcp';
const LIMIT = 64;

function post(body: string, headers: Record<string, string>): Request {
  return new Request(URL_, { method: 'POST', headers, body });
}

function declared(body: string, contentType = 'application/json'): Record<string, string> {
  return { 'Content-Type': contentType, 'Content-Length': String(new TextEncoder().encode(body).byteLength) };
}

describe('preparseJsonBody', () => {
  it('should parse a JSON body whose Content-Length is within the limit', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const request = post(body, declared(body));
    const result = await preparseJsonBody(request, LIMIT);
    expect(result.parsedBody).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping' });
    expect(result.request).toBe(request);
  });

  it('should accept a JSON media type with parameters and any case', async () => {
    const body = '[1,2]';
    const result = await preparseJsonBody(post(body, declared(body, 'Application/JSON; charset=utf-8')), LIMIT);
    expect(result.parsedBody).toEqual([1, 2]);
  });

  it('should hand over JSON null as a parsed body', async () => {
    const result = await preparseJsonBody(post('null', declared('null')), LIMIT);
    expect('parsedBody' in result).toBe(true);
    expect(result.parsedBody).toBeNull();
  });

  it.each([
    ['no Content-Length', { 'Content-Type': 'application/json' }],
    ['a Content-Length over the limit', { 'Content-Type': 'application/json', 'Content-Length': String(LIMIT + 1) }],
    ['a Content-Length that is not a number', { 'Content-Type': 'application/json', 'Content-Length': '1e1' }],
    ['a Content-Type that is not JSON', { 'Content-Type': 'text/plain', 'Content-Length': '2' }],
    ['a Content-Type that only contains JSON', { 'Content-Type': 'application/json-seq', 'Content-Length': '2' }],
    ['no Content-Type', { 'Content-Length': '2' }],
  ])('should leave a request with %s to the SDK, body unread', async (_case, headers) => {
    const request = post('{}', headers);
    const result = await preparseJsonBody(request, LIMIT);
    expect(result.request).toBe(request);
    expect('parsedBody' in result).toBe(false);
    expect(request.bodyUsed).toBe(false);
  });

  it('should give the SDK the same bytes, method and headers when the body is not JSON', async () => {
    const body = '{"jsonrpc":"2.0",';
    const request = post(body, { ...declared(body), Accept: 'application/json, text/event-stream', 'Mcp-Protocol-Version': '2025-06-18' });
    const result = await preparseJsonBody(request, LIMIT);
    expect('parsedBody' in result).toBe(false);
    expect(result.request).not.toBe(request);
    expect(result.request.method).toBe('POST');
    expect(result.request.url).toBe(URL_);
    expect(result.request.headers.get('Accept')).toBe('application/json, text/event-stream');
    expect(result.request.headers.get('Mcp-Protocol-Version')).toBe('2025-06-18');
    expect(await result.request.text()).toBe(body);
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

  it('should be left to the SDK by preparseJsonBody, with the same bytes', async () => {
    const result = await preparseJsonBody(oversized(), LIMIT);
    expect('parsedBody' in result).toBe(false);
    expect(await result.request.text()).toBe(`"${'x'.repeat(LIMIT)}"`);
  });

  it('should count bytes, not characters, near the limit', async () => {
    const body = `"${'é'.repeat(LIMIT / 2)}"`; // LIMIT + 2 bytes in LIMIT / 2 + 2 characters
    expect(await readBoundedText(post(body, { 'Content-Type': 'application/json', 'Content-Length': '2' }), LIMIT)).toBeUndefined();
  });
});
