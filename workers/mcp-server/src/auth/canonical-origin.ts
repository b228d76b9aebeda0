// This server's canonical origin: the OAuth issuer, the protected resource (token audience) and the base of /callback.

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why an origin cannot be used (shown as a 400 page). */
export class OriginError extends Error {
  override readonly name = 'OriginError';
}

/**
 * `MCP_SERVER_URL` when set (a custom domain in front of workers.dev), else the request's origin.
 * One origin is both issuer and resource, so the same grant serves /mcp and /sse. Plain http is
 * accepted only on loopback hosts, as the OAuth library and MCP require.
 */
export function canonicalOrigin(request: Request, env: Env): string {
  const configured = env.MCP_SERVER_URL?.trim();
  let url: URL;
  try {
    url = new URL(configured || request.url);
  } catch {
    throw new OriginError('MCP_SERVER_URL is not a valid URL');
  }
  if (url.protocol === 'http:' && !loopbackHosts.has(url.hostname)) {
    throw new OriginError('This server must be reached over https (http is accepted only on localhost).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OriginError('Unsupported URL scheme.');
  return url.origin;
}
