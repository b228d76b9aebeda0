// Headers every response of this server carries, whatever produced it (our pages, the OAuth library, the MCP handlers).

/** Two years, the preload list's expectation; HTTPS origins only (local mode is plain http on localhost). */
const HSTS = 'max-age=63072000; includeSubDomains';

/** `response` with HSTS when the server's canonical origin is HTTPS. */
export function withSecurityHeaders(response: Response, origin: string): Response {
  if (!origin.startsWith('https:')) return response;
  try {
    response.headers.set('Strict-Transport-Security', HSTS);
    return response;
  } catch {
    // Immutable headers (a response passed through from fetch): copy it, body stream included.
    const copy = new Response(response.body, response);
    copy.headers.set('Strict-Transport-Security', HSTS);
    return copy;
  }
}
