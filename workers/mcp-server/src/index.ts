// MCP server Worker entry: canonical host and Origin checks, then the OAuth provider (per canonical origin) in front of the MCP endpoints.
import type { OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { runScheduledPurge } from './audit/purge-audit-log.js';
import { canonicalOrigin, isMcpEndpoint, misdirectedRequestResponse, OriginError } from './auth/canonical-origin.js';
import { createOAuthProvider } from './auth/create-oauth-provider.js';
import { failurePage } from './auth/default-handler.js';
import { endGrantOfBearer } from './auth/end-grant.js';
import { errorPage } from './auth/html-page.js';
import { withStepUpScopes } from './auth/protected-resource-metadata.js';
import { withTokenRecordCache } from './auth/token-record-cache.js';
import { cachedVerification, noteVerificationStart } from './auth/verified-token-cache.js';
import type { McpHandlerContext } from './mcp/mcp-request-auth.js';
import { originPolicy, originRefusal } from './mcp/origin-policy.js';
import { mcpHandler } from './mcp/streamable-http-handler.js';

export { McpSseSession } from './mcp/sse/mcp-sse-session.js';
export { UpstreamTokenStore } from './upstream/upstream-token-store.js';

/**
 * The provider's resource is fixed at construction, and the origin is known only per request
 * when MCP_SERVER_URL is unset (plain `wrangler dev`, tests), so one provider per origin is kept
 * for the life of the isolate. In practice that is one entry.
 */
const providers = new Map<string, OAuthProvider<Env>>();

function providerFor(origin: string): OAuthProvider<Env> {
  let provider = providers.get(origin);
  if (!provider) {
    provider = createOAuthProvider(origin);
    providers.set(origin, provider);
  }
  return provider;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let origin: string;
    let refusal: Response | undefined;
    try {
      origin = canonicalOrigin(request, env);
      // Before any login or token check: another host is redirected or refused, a foreign Origin gets 403.
      refusal = misdirectedRequestResponse(request, origin);
      if (!refusal && isMcpEndpoint(new URL(request.url).pathname)) refusal = originRefusal(request, originPolicy(origin, env));
    } catch (error) {
      if (error instanceof OriginError) return errorPage(400, 'Bad request', error.message);
      throw error;
    }
    if (refusal) return refusal;
    try {
      // A shallow copy per request: the library caches its helpers on `env.OAUTH_PROVIDER`, and the
      // runtime's env object is shared by every request of the isolate, whatever its origin.
      // OAUTH_KV goes through the token-record cache: the provider reads a token record on every MCP request.
      const handlerEnv = { ...env, OAUTH_KV: withTokenRecordCache(env.OAUTH_KV) };
      // The provider passes ctx on to the MCP handlers: this is how they end a grant the IdP has refused.
      const endGrant = () => endGrantOfBearer(request, origin, handlerEnv);
      // A token the provider verified for /mcp moments ago goes straight to the handler, with the provider's own ctx.auth.
      const verified = cachedVerification(request, origin);
      if (verified) return await mcpHandler.fetch(request, handlerEnv, Object.assign(ctx, verified, { endGrant }) as McpHandlerContext);
      noteVerificationStart(request);
      const response = await providerFor(origin).fetch(request, handlerEnv, Object.assign(ctx, { endGrant }));
      return await withStepUpScopes(request, response);
    } catch (error) {
      return failurePage(error);
    }
  },
  /** Cron trigger (wrangler.jsonc `triggers`): the audit log's retention purge. */
  async scheduled(_controller, env, ctx): Promise<void> {
    ctx.waitUntil(runScheduledPurge(env));
  },
} satisfies ExportedHandler<Env>;
