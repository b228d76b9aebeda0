// One structured JSON log line per request: what an operator reads in `wrangler tail` or the dashboard's Workers Logs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterResponse } from './after-response.js';

/** The fields of a request's line. Never a token, a secret, a query string or a user's e-mail address. */
export interface RequestLogEntry {
  requestId: string;
  method: string;
  /** The path only: query strings can carry codes, states and session ids. */
  route: string;
  status?: number;
  durationMs?: number;
  /** The OAuth client the request acts for, once known (token endpoint, MCP calls). */
  clientId?: string;
  /** A stable error code when the request was refused (OAuth error, `rate_limited`, …). */
  errorCode?: string;
}

const current = new AsyncLocalStorage<RequestLogEntry>();

/**
 * Runs `handle` with a log entry for `request`; the line is complete when the response (its headers) is ready, and
 * written just after the response has been handed over. In local workerd a log line is a write to the pipe Miniflare
 * reads, which wakes the Node process beside it: written before the response, it held each MCP call back by about
 * 0.05x of the bench's tool-call ratio (alternated raw-fetch runs against the bench stack).
 */
export async function logRequest(request: Request, handle: () => Promise<Response>): Promise<Response> {
  const started = Date.now();
  const entry: RequestLogEntry = {
    requestId: request.headers.get('cf-ray') ?? crypto.randomUUID(),
    method: request.method,
    route: new URL(request.url).pathname,
  };
  try {
    const response = await current.run(entry, handle);
    entry.status = response.status;
    return response;
  } catch (error) {
    entry.status = 500;
    entry.errorCode ??= 'internal_error';
    throw error;
  } finally {
    entry.durationMs = Date.now() - started;
    const line = JSON.stringify({ event: 'request', ...entry });
    afterResponse('request log', async () => console.log(line));
  }
}

/** Adds the client id to the current request's line (no-op outside a request). */
export function noteClientId(clientId: string): void {
  const entry = current.getStore();
  if (entry) entry.clientId = clientId;
}

/** Adds an error code to the current request's line; the first one set wins (it is the cause). */
export function noteErrorCode(code: string): void {
  const entry = current.getStore();
  if (entry) entry.errorCode ??= code;
}
