// MCP server Worker entry: the OAuth provider (per canonical origin) in front of the MCP endpoints; exports the Durable Objects.
import type { OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { refuseOverLimit } from './abuse/oauth-endpoint-limits.js';
import { canonicalOrigin, OriginError } from './auth/canonical-origin.js';
import { createOAuthProvider, TOKEN_PATH } from './auth/create-oauth-provider.js';
import { failurePage } from './auth/default-handler.js';
import { endGrantOfBearer } from './auth/end-grant.js';
import { errorPage } from './auth/html-page.js';
import { withRefreshTokenReuseDetection } from './auth/refresh-token-reuse.js';
import { withTokenRecordCache } from './auth/token-record-cache.js';
import { cachedVerification, noteVerificationStart } from './auth/verified-token-cache.js';
import { logRequest, noteErrorCode } from './http/request-log.js';
import { withSecurityHeaders } from './http/security-headers.js';
import { purgeOAuthRecords } from './maintenance/purge-oauth-records.js';
import { type McpHandlerContext, streamableHttpHandler } from './mcp/streamable-http-handler.js';

export { McpSseSession } from './mcp/sse/mcp-sse-session.js';
export { UpstreamTokenStore } from './upstream/upstream-token-store.js';

/**
 * The provider's resource is fixed at construction, and the origin is known only per request
 * (workers.dev, a custom domain, or localhost in local mode), so one provider per origin is kept
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
  fetch(request, env, ctx): Promise<Response> {
    return logRequest(request, () => serve(request, env, ctx));
  },
  /** The cron trigger (wrangler.jsonc `triggers`): housekeeping of expired and never-used OAuth records. */
  async scheduled(controller, env): Promise<void> {
    const result = await purgeOAuthRecords(env, env.MCP_SERVER_URL?.trim() || 'http://localhost', controller.scheduledTime);
    console.log(JSON.stringify({ event: 'purge', ...result }));
  },
} satisfies ExportedHandler<Env>;

async function serve(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  let origin: string;
  try {
    origin = canonicalOrigin(request, env);
  } catch (error) {
    if (error instanceof OriginError) return errorPage(400, 'Bad request', error.message);
    throw error;
  }
  try {
    // Before the library stores anything (clients, consent transactions, tokens): floods get 429 and leave no trace.
    const limited = await refuseOverLimit(request, env);
    if (limited) {
      noteErrorCode('rate_limited');
      return withSecurityHeaders(limited, origin);
    }
    // A shallow copy per request: the library caches its helpers on `env.OAUTH_PROVIDER`, and the
    // runtime's env object is shared by every request of the isolate, whatever its origin.
    // OAUTH_KV goes through the token-record cache: the provider reads a token record on every MCP request.
    const handlerEnv = { ...env, OAUTH_KV: withTokenRecordCache(env.OAUTH_KV) };
    // The provider passes ctx on to the MCP handlers: this is how they end a grant the IdP has refused.
    const endGrant = () => endGrantOfBearer(request, origin, handlerEnv);
    // A token the provider verified for /mcp moments ago goes straight to the handler, as the provider would send it.
    const verified = cachedVerification(request, origin);
    if (verified) {
      const handlerCtx = Object.assign(ctx, verified, { endGrant }) as McpHandlerContext;
      return withSecurityHeaders(await streamableHttpHandler.fetch(request, handlerEnv, handlerCtx), origin);
    }
    noteVerificationStart(request);
    const viaProvider = () => providerFor(origin).fetch(request, handlerEnv, Object.assign(ctx, { endGrant }));
    const response =
      new URL(request.url).pathname === TOKEN_PATH
        ? await withRefreshTokenReuseDetection(request, handlerEnv, origin, viaProvider)
        : await viaProvider();
    return withSecurityHeaders(response, origin);
  } catch (error) {
    return withSecurityHeaders(failurePage(error), origin);
  }
}
