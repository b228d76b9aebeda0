// Builds the OAuth 2.1 provider for one canonical origin: issuer, protected resource (/mcp and /sse), DCR, CIMD, tokens.
import { OAuthProvider, type OAuthProviderOptions } from '@cloudflare/workers-oauth-provider';
import { mcpServer } from '../../../../system/system.js';
import { noteErrorCode } from '../http/request-log.js';
import { sseHandler } from '../mcp/sse/sse-handler.js';
import { mcpHandler } from '../mcp/streamable-http-handler.js';
import { AUTHORIZE_PATH, defaultHandler } from './default-handler.js';
import { enforceRegistrationPolicy } from './registration-policy.js';
import { requiredScopes, scopesSupported } from './scopes.js';
import { tokenExchangeCallback } from './token-exchange-callback.js';
import { rememberingVerifiedTokens } from './verified-token-cache.js';

export const TOKEN_PATH = '/oauth/token';
export const REGISTER_PATH = '/oauth/register';

/**
 * MCP access tokens live one hour: short enough that a refresh (which re-checks the upstream grant
 * at the IdP) happens regularly, long enough not to churn. Upstream access tokens expire on their
 * own schedule and are refreshed on demand by the grant's UpstreamTokenStore.
 */
export const MCP_ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
/** A grant lives 30 days from sign-in (upstream refresh tokens typically last about that long). */
export const MCP_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

type ApiHandler = NonNullable<OAuthProviderOptions<Env>['apiHandler']>;

/**
 * `origin` is both the issuer and the resource: tokens are bound to it, and /mcp and /sse (with
 * /sse/message) are path descendants, so one grant serves both transports.
 */
export function createOAuthProvider(origin: string): OAuthProvider<Env> {
  return new OAuthProvider<Env>(oauthProviderOptions(origin));
}

/** The provider's options for `origin`; also what `getOAuthApi` needs to act on this origin's grants. */
export function oauthProviderOptions(origin: string): OAuthProviderOptions<Env> {
  return {
    apiHandlers: {
      // The MCP handlers' ctx is ExecutionContext plus the provider's props/auth: the cast names that contract.
      // Called as fetch(request, env, ctx), the only form in which agents' createMcpHandler reads ctx.props/ctx.auth.
      // /mcp remembers each verified token briefly, so a client's next calls skip verification (see index.ts).
      // /sse prefix-matches /sse/message too.
      [mcpServer.paths.mcp]: rememberingVerifiedTokens(origin, mcpHandler) as unknown as ApiHandler,
      [mcpServer.paths.sse]: sseHandler as unknown as ApiHandler,
    },
    defaultHandler,
    authorizeEndpoint: AUTHORIZE_PATH,
    tokenEndpoint: TOKEN_PATH,
    clientRegistrationEndpoint: REGISTER_PATH,
    scopesSupported,
    requiredScopes,
    resourceMetadata: {
      resource: origin,
      authorization_servers: [origin],
      bearer_methods_supported: ['header'],
      resource_name: 'Todos MCP server',
    },
    clientIdMetadataDocumentEnabled: true,
    accessTokenTTL: MCP_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTTL: MCP_REFRESH_TOKEN_TTL_SECONDS,
    tokenExchangeCallback,
    clientRegistrationCallback: enforceRegistrationPolicy,
    onError({ code, status, internal }) {
      // Wire responses stay generic; the log says which check failed (no tokens, no descriptions from clients).
      console.warn(`oauth error ${status} ${code}: ${internal.category}/${internal.reason}`);
      noteErrorCode(code);
    },
  };
}
