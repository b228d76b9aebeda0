// One rate-limit check on a Workers Rate Limiting binding, and the 429 answer in each endpoint's own format.
import { mcpRateLimits } from '../../../../system/system.js';
import { errorPage } from '../auth/html-page.js';
import { noteClientId, noteErrorCode } from '../http/request-log.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from '../mcp/json-rpc-error.js';

export type RateLimitName = keyof typeof mcpRateLimits;

/**
 * True when `key` has used up limit `name` for the current period. The binding counts per Cloudflare location and
 * is eventually consistent: a ceiling against floods, not an exact quota. Keys are hashed by the runtime, never logged.
 */
export async function isRateLimited(env: Env, name: RateLimitName, key: string): Promise<boolean> {
  const { success } = await env[mcpRateLimits[name].binding].limit({ key });
  return !success;
}

/** Seconds a refused caller should wait: the binding's whole period (it does not say how much of it is left). */
export function retryAfterSeconds(name: RateLimitName): number {
  return mcpRateLimits[name].period;
}

const tooMany = (name: RateLimitName) => `Too many requests. Try again in ${retryAfterSeconds(name)} seconds.`;

/** OAuth endpoints (registration, token): an OAuth error body, as RFC 6749 §5.2 / RFC 7591 §3.2.2 shape them. */
export function oauthTooManyRequests(name: RateLimitName): Response {
  return Response.json(
    { error: 'temporarily_unavailable', error_description: tooMany(name) },
    { status: 429, headers: { 'Retry-After': String(retryAfterSeconds(name)), 'Cache-Control': 'no-store' } },
  );
}

/** Pages a person sees (/authorize): an HTML page with the same security headers as every page. */
export function pageTooManyRequests(name: RateLimitName): Response {
  return errorPage(429, 'Too many sign-in attempts', tooMany(name), new Headers({ 'Retry-After': String(retryAfterSeconds(name)) }));
}

/** MCP endpoints: a JSON-RPC error (the request is not processed, so `id` is null), HTTP 429. */
export function jsonRpcTooManyRequests(name: RateLimitName): Response {
  return jsonRpcErrorResponse(429, JsonRpcErrorCode.ConnectionRefused, tooMany(name), { 'Retry-After': String(retryAfterSeconds(name)) });
}

/** The caller's IP as Cloudflare reports it; one shared bucket when absent (only requests from inside the runtime). */
export function clientIp(request: Request): string {
  return request.headers.get('CF-Connecting-IP') ?? 'unknown';
}

/** Per isolate: how many MCP requests each user + client made in the current window, and whether it is spent. */
const mcpWindows = new Map<string, { window: number; count: number; refused: boolean }>();

/**
 * MCP traffic (/mcp, /sse) per user + client: a 429 JSON-RPC error past the limit, or undefined. Keyed by the
 * verified token's pseudonymous user id and client id, so one user's app cannot starve their others. The binding is
 * asked on every `sampleEvery`-th request of this isolate (its limit is the ceiling divided by that), and a refusal
 * holds for the rest of the window: the ceiling stays within one sample per isolate, at a tenth of the cost.
 */
export async function refuseMcpOverLimit(env: Env, ctx: { auth?: { userId?: string; clientId?: string } }): Promise<Response | undefined> {
  const { userId = '', clientId = '' } = ctx.auth ?? {};
  if (clientId) noteClientId(clientId);
  const key = `${userId}:${clientId}`;
  const { period, sampleEvery } = mcpRateLimits.mcp;
  const window = Math.floor(Date.now() / (period * 1000));
  let state = mcpWindows.get(key);
  if (!state || state.window !== window) {
    if (mcpWindows.size > 10_000) mcpWindows.clear(); // bounded memory: an isolate forgets, the binding does not
    state = { window, count: 0, refused: false };
    mcpWindows.set(key, state);
  }
  if (!state.refused && state.count++ % sampleEvery === 0) state.refused = await isRateLimited(env, 'mcp', key);
  if (!state.refused) return undefined;
  noteErrorCode('rate_limited');
  return jsonRpcTooManyRequests('mcp');
}
