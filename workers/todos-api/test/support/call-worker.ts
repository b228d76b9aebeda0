// Sends a request to the real Worker entry point in this isolate, with the project's bindings (real D1).
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index.js';

export interface CallOptions {
  method?: string;
  token?: string;
  /** Raw Authorization header; wins over `token`. */
  authorization?: string;
  /** A JSON value (serialised) or a raw body. */
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Vars to override, e.g. another AUTH0_ISSUER. */
  vars?: Partial<Env>;
}

export async function callWorker(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.authorization !== undefined) headers.set('Authorization', options.authorization);
  else if (options.token !== undefined) headers.set('Authorization', `Bearer ${options.token}`);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  const request = new Request(`https://todos-api.test${path}`, { method: options.method ?? 'GET', headers, body: body ?? null });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...options.vars }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The problem-details body every error response has. */
export async function problemOf(response: Response): Promise<Record<string, unknown>> {
  if (response.headers.get('Content-Type') !== 'application/problem+json') {
    throw new Error(`expected application/problem+json, got ${response.headers.get('Content-Type')}`);
  }
  return (await response.json()) as Record<string, unknown>;
}
