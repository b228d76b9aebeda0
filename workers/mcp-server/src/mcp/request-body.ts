// Reading MCP request bodies with a size limit: one native read when the length is declared, a counted stream otherwise.
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error.js';

/** Largest accepted request body, in bytes (1 MiB): tool arguments here are small. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

/** A Content-Length as HTTP defines it: decimal digits only. */
const DECIMAL_LENGTH = /^\d{1,15}$/;

/** Whether the Content-Type's media type is exactly application/json (parameters and case ignored). */
export function isJsonMediaType(contentType: string | null): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Whether the request declares a valid Content-Length within `maxBytes`. Such a body is read with
 * one `text()` and measured afterwards (readDeclaredText), which is much cheaper than counting it
 * chunk by chunk: each read through a stream reader is an await of its own (about 0.2 ms per
 * request in workerd).
 */
function declaresLengthWithin(request: Request, maxBytes: number): boolean {
  const declared = request.headers.get('Content-Length');
  return declared !== null && DECIMAL_LENGTH.test(declared) && Number(declared) <= maxBytes;
}

/**
 * Reads a body whose declared length is within `maxBytes`. Requests from the network are framed by
 * that header, but one built inside the runtime could carry a header that lies, so the text read
 * is measured too.
 */
async function readDeclaredText(request: Request, maxBytes: number): Promise<{ text: string; withinLimit: boolean }> {
  const text = await request.text();
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long text needs encoding to be measured.
  const withinLimit = text.length * 3 <= maxBytes || new TextEncoder().encode(text).byteLength <= maxBytes;
  return { text, withinLimit };
}

/** The body as text, or undefined once it exceeds `maxBytes` (declared or actual). */
export async function readBoundedText(request: Request, maxBytes: number): Promise<string | undefined> {
  if (declaresLengthWithin(request, maxBytes)) {
    const { text, withinLimit } = await readDeclaredText(request, maxBytes);
    return withinLimit ? text : undefined;
  }
  if (Number(request.headers.get('Content-Length') ?? 0) > maxBytes) return undefined;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** 413 with the JSON-RPC shape the SDK uses for it. */
export function payloadTooLarge(maxBytes: number): Response {
  return jsonRpcErrorResponse(413, JsonRpcErrorCode.ConnectionRefused, `Payload Too Large: request body must not exceed ${maxBytes} bytes`);
}

/** A POST body read once: the parsed JSON for the SDK, and the request (its body may be spent) for the headers. */
export interface McpPost {
  request: Request;
  /** The JSON object or array the body holds; absent when it holds none, and the SDK then reads `request` itself. */
  parsedBody?: unknown;
}

/**
 * For the Streamable HTTP handlers: the body read once and parsed, or a 413. Handed on as the SDK's
 * `parsedBody`, it spares the two further reads agents and the SDK would make (a clone to classify
 * the request's era, then the transport's own), each a stream read of its own in workerd. agents'
 * 2025 lane ignores `maxRequestBodySize` and the SDK does not apply it to a `parsedBody`, so the
 * limit is held here for both lanes. A body that is not JSON is handed on as text, so the SDK
 * answers it with its own JSON-RPC parse error.
 */
export async function readMcpPost(request: Request, maxBytes: number): Promise<McpPost | Response> {
  if (request.body === null) return { request };
  const text = await readBoundedText(request, maxBytes);
  if (text === undefined) return payloadTooLarge(maxBytes);
  const parsedBody = parseJsonContainer(text);
  if (parsedBody !== undefined) return { request, parsedBody };
  return { request: new Request(request.url, { method: request.method, headers: request.headers, body: text, signal: request.signal }) };
}

/** A JSON object or array (what a JSON-RPC message or batch can be), or undefined. */
function parseJsonContainer(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
