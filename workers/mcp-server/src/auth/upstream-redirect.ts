// After consent (given now or remembered): start the IdP login with a single-use, browser-bound state.
import type { AuthRequest, OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { mcpCallbackUrl } from '../../../../system/system.js';
import { discover, newLoginSecrets, startUpstreamLogin, type UpstreamLoginSecrets } from '../upstream/idp-client.js';
import type { IdpConfig } from '../upstream/idp-config.js';
import { loginScopeFor } from './scopes.js';

/** What beginUpstream() keeps (encrypted, server-side) for the callback. */
export type UpstreamStateData = UpstreamLoginSecrets;

/**
 * 302 to the IdP's authorize endpoint. Discovery runs first so an unreachable IdP fails before any
 * state is stored; `headers` carries cookies from approveConsent() that must reach the browser too.
 * @throws UpstreamAuthError when the IdP's discovery document cannot be loaded.
 */
export async function redirectToIdp(
  oauth: OAuthHelpers,
  authRequest: AuthRequest,
  config: IdpConfig,
  origin: string,
  headers?: Headers,
): Promise<Response> {
  await discover(config);
  const secrets = newLoginSecrets();
  const { state, headers: out } = await oauth.beginUpstream(authRequest, {
    data: secrets satisfies UpstreamStateData,
    ...(headers ? { headers } : {}),
  });
  // Only what this grant was approved for: the upstream token can never do more than the MCP token.
  const scope = loginScopeFor(config.scope, authRequest.scope);
  const location = await startUpstreamLogin(config, mcpCallbackUrl(origin), state, secrets, scope);
  out.set('Location', location.href);
  out.set('Cache-Control', 'no-store');
  return new Response(null, { status: 302, headers: out });
}
