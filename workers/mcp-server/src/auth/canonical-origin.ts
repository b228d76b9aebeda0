// This server's canonical origin (OAuth issuer, protected resource, base of /callback), and the answer for any other host.
import { mcpServer } from '../../../../system/system.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from '../mcp/json-rpc-error.js';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why an origin cannot be used (shown as a 400 page). */
export class OriginError extends Error {
  override readonly name = 'OriginError';
}

export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname);
}

/**
 * `MCP_SERVER_URL` when set (Pulumi and the local stack always set it), else the request's origin
 * with a loopback host spelled `localhost`. One origin is both issuer and resource, so the same
 * grant serves /mcp and /sse. Plain http is accepted only on loopback hosts, as the OAuth library
 * and MCP require.
 */
export function canonicalOrigin(request: Request, env: Env): string {
  const configured = env.MCP_SERVER_URL?.trim();
  let url: URL;
  try {
    url = new URL(configured || request.url);
  } catch {
    throw new OriginError('MCP_SERVER_URL is not a valid URL');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new OriginError('This server must be reached over https (http is accepted only on localhost).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OriginError('Unsupported URL scheme.');
  if (!configured && isLoopbackHost(url.hostname)) url.hostname = 'localhost';
  return url.origin;
}

/** The MCP endpoints: refused, never redirected, on another host (a client must be given the canonical URL). */
export function isMcpEndpoint(pathname: string): boolean {
  return pathname === mcpServer.paths.mcp || pathname === mcpServer.paths.sse || pathname === `${mcpServer.paths.sse}/message`;
}

/**
 * The answer for a request that reached this Worker under another origin (127.0.0.1 instead of
 * localhost, workers.dev behind a custom domain, a rebound DNS name), given before any login: tokens
 * are bound to the canonical origin and the sign-in cookies to its host, so nothing started on
 * another host could finish. Pages, metadata and /authorize (GET/HEAD) are redirected to the same
 * path there; MCP endpoints and other methods are refused with 421, naming the URL to use.
 * Undefined for a request on the canonical origin.
 */
export function misdirectedRequestResponse(request: Request, canonical: string): Response | undefined {
  const url = new URL(request.url);
  if (url.origin === canonical) return undefined;
  const target = new URL(url.pathname + url.search, canonical).href;
  if (isMcpEndpoint(url.pathname)) {
    return jsonRpcErrorResponse(
      421,
      JsonRpcErrorCode.ConnectionRefused,
      `This MCP server answers at ${target}: connect to that URL instead.`,
    );
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    return new Response(null, { status: 308, headers: { Location: target, 'Cache-Control': 'no-store' } });
  }
  return new Response(
    JSON.stringify({ error: 'misdirected_request', error_description: `This server answers at ${canonical}; use ${target}.` }),
    {
      status: 421,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    },
  );
}
