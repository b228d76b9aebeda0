// Which browser origins may use /mcp and /sse (the spec's Origin check), and the matching createMcpHandler Host/Origin/CORS options.
import { isLoopbackHost, OriginError } from '../auth/canonical-origin.js';
import type { McpOriginOptions } from './answer-mcp-request.js';
import { JsonRpcErrorCode, jsonRpcErrorResponse } from './json-rpc-error.js';

export interface OriginPolicy {
  canonical: URL;
  /** Exact origins a browser-based MCP client may call from. */
  allowed: ReadonlySet<string>;
}

/**
 * The canonical origin itself, plus `MCP_ALLOWED_ORIGINS` (origins separated by spaces or commas,
 * e.g. `https://playground.ai.cloudflare.com` for the AI Playground). When the canonical origin is
 * loopback (local mode), loopback origins on any port are allowed too (MCP Inspector's UI).
 * A malformed entry is a configuration error and fails every request loudly.
 */
export function originPolicy(canonical: string, env: Env): OriginPolicy {
  const allowed = new Set([canonical]);
  for (const entry of env.MCP_ALLOWED_ORIGINS?.split(/[\s,]+/) ?? []) {
    if (entry === '') continue;
    const url = URL.parse(entry);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, '')) {
      throw new OriginError(`MCP_ALLOWED_ORIGINS: ${entry} is not an origin such as https://app.example.com`);
    }
    allowed.add(url.origin);
  }
  return { canonical: new URL(canonical), allowed };
}

export function isAllowedOrigin(origin: string, policy: OriginPolicy): boolean {
  if (policy.allowed.has(origin)) return true;
  const url = URL.parse(origin);
  return url !== null && isLoopbackHost(policy.canonical.hostname) && isLoopbackHost(url.hostname) && url.origin === origin;
}

/**
 * 403 for a request whose `Origin` is present and not allowed (a web page the user happens to visit,
 * DNS rebinding): checked before the OAuth provider, which would otherwise answer any origin's
 * preflight and reflect it. Requests without `Origin` (native clients) pass.
 */
export function originRefusal(request: Request, policy: OriginPolicy): Response | undefined {
  const origin = request.headers.get('Origin');
  if (origin === null || isAllowedOrigin(origin, policy)) return undefined;
  return jsonRpcErrorResponse(403, JsonRpcErrorCode.ConnectionRefused, 'Forbidden: this Origin may not use this MCP server');
}

/**
 * createMcpHandler's own Host, Origin and CORS checks, set to the same policy (its defaults are
 * wildcard CORS and no Host check on a custom domain). CORS names the request's own (allowed)
 * origin, never `*`, and no credentials: MCP clients authenticate with a bearer header, not cookies.
 */
export function mcpHandlerOriginOptions(request: Request, policy: OriginPolicy): McpOriginOptions {
  const origin = request.headers.get('Origin');
  const originHostnames = new Set([...policy.allowed].map((allowed) => new URL(allowed).hostname));
  if (origin !== null && isAllowedOrigin(origin, policy)) originHostnames.add(new URL(origin).hostname);
  return {
    allowedHostnames: [policy.canonical.hostname],
    allowedOriginHostnames: [...originHostnames],
    corsOptions: origin !== null && isAllowedOrigin(origin, policy) ? { origin } : (false as const),
  };
}
