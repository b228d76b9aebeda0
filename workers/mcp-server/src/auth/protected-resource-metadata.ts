// RFC 9728 metadata as this server means it: the 401 challenge names the baseline, the metadata lists every permission.
import { resourceScopesSupported } from './scopes.js';

const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * The library publishes `requiredScopes` (the baseline) as the resource's `scopes_supported`, the same list the
 * 401 challenge names. Clients take their first scope from the challenge (MCP 2025-11-25 scope selection), so
 * the metadata can list every permission a client may ask for later by step-up, as RFC 9728 defines the field,
 * without making first sign-ins ask for everything. `offline_access` stays out (MCP: SHOULD NOT).
 */
export async function withStepUpScopes(request: Request, response: Response): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (request.method !== 'GET' || response.status !== 200) return response;
  if (pathname !== METADATA_PATH && !pathname.startsWith(`${METADATA_PATH}/`)) return response;
  const metadata = (await response.clone().json()) as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.delete('Content-Length');
  return Response.json({ ...metadata, scopes_supported: resourceScopesSupported }, { status: 200, headers });
}
