// MCP server Worker entry: canonical host and Origin checks, then the OAuth provider (per canonical origin) in front of the MCP endpoints.
import type { OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { mcpServer } from '../../../system/system.js';
import { refuseOverLimit } from './abuse/oauth-endpoint-limits.js';
import { runScheduledPurge } from './audit/purge-audit-log.js';
import { canonicalOrigin, isMcpEndpoint, misdirectedRequestResponse, OriginError } from './auth/canonical-origin.js';
import { createOAuthProvider, TOKEN_PATH } from './auth/create-oauth-provider.js';
import { failurePage } from './auth/default-handler.js';
import { endGrantOfBearer } from './auth/end-grant.js';
import { errorPage } from './auth/html-page.js';
import { withStepUpScopes } from './auth/protected-resource-metadata.js';
import { withRefreshTokenReuseDetection } from './auth/refresh-token-reuse.js';
import { withTokenRecordCache } from './auth/token-record-cache.js';
import { cachedVerification, noteVerificationStart } from './auth/verified-token-cache.js';
import { logRequest, noteErrorCode } from './http/request-log.js';
import { withSecurityHeaders } from './http/security-headers.js';
import { purgeOAuthRecords } from './maintenance/purge-oauth-records.js';
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

const AUDIT_PURGE_CRON = mcpServer.auditDatabase.purgeCron;

export default {
  fetch(request, env, ctx): Promise<Response> {
    return logRequest(request, () => serve(request, env, ctx));
  },
  /**
   * The cron triggers (wrangler.jsonc `triggers`): hourly OAuth housekeeping (expired grants and tokens, never-used
   * clients) and, daily, the audit log's retention purge.
   */
  async scheduled(controller, env, ctx): Promise<void> {
    if (controller.cron === AUDIT_PURGE_CRON) {
      ctx.waitUntil(runScheduledPurge(env));
      return;
    }
    const result = await purgeOAuthRecords(env, env.MCP_SERVER_URL?.trim() || 'http://localhost', controller.scheduledTime);
    console.log(JSON.stringify({ event: 'oauth_purge', ...result }));
  },
} satisfies ExportedHandler<Env>;

async function serve(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
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
  if (refusal) return withSecurityHeaders(refusal, origin);
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
    // A token the provider verified for /mcp moments ago goes straight to the handler, with the provider's own ctx.auth.
    const verified = cachedVerification(request, origin);
    if (verified) {
      const handlerCtx = Object.assign(ctx, verified, { endGrant }) as McpHandlerContext;
      return withSecurityHeaders(await mcpHandler.fetch(request, handlerEnv, handlerCtx), origin);
    }
    noteVerificationStart(request);
    const viaProvider = () => providerFor(origin).fetch(request, handlerEnv, Object.assign(ctx, { endGrant }));
    const response =
      new URL(request.url).pathname === TOKEN_PATH
        ? await withRefreshTokenReuseDetection(request, handlerEnv, origin, viaProvider)
        : await viaProvider();
    return withSecurityHeaders(await withStepUpScopes(request, response), origin);
  } catch (error) {
    return withSecurityHeaders(failurePage(error), origin);
  }
}
