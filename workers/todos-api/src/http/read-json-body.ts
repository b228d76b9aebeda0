// Reads a JSON request body with a hard size limit, checked on Content-Length and on the bytes actually streamed.
import { HttpError } from './http-error.js';

/** Largest accepted request body, in bytes (16 KiB). */
export const maxBodyBytes = 16 * 1024;

export async function readJsonBody(request: Request, limit: number = maxBodyBytes): Promise<unknown> {
  const contentType = request.headers.get('Content-Type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
    throw new HttpError(415, { code: 'invalid_request', detail: 'The request body must be JSON (Content-Type: application/json).' });
  }
  const declared = request.headers.get('Content-Length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);

  const bytes = await readAtMost(request, limit);
  if (bytes.byteLength === 0) throw new HttpError(400, { code: 'invalid_request', detail: 'The request body is empty.' });
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)) as unknown;
  } catch (cause) {
    throw new HttpError(400, { code: 'invalid_request', detail: 'The request body is not valid UTF-8 JSON.', cause });
  }
}

// A chunked or lying client can send more than it declared: count the bytes as they arrive and stop early.
async function readAtMost(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, { code: 'invalid_request', detail: `The request body exceeds ${limit} bytes.` });
}
