// A short-lived, per-isolate cache of /mcp access tokens the OAuth provider has verified, with their grant props.

import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import { mcpServer } from '../../../../system/system.js';
import type { McpHandlerContext } from '../mcp/mcp-request-auth.js';
import type { McpProps } from '../props.js';
import { bearerTokenOf, type GrantRef, grantOfAccessToken, grantOfKvKey, sameGrant } from './access-token-format.js';
import { kvWriteCount, onKvWrite, TOKEN_RECORD_TTL_MS } from './token-record-cache.js';

/**
 * Verifying a token costs workers-oauth-provider a hash, a KV read and three WebCrypto steps to
 * unwrap and decrypt the props: about 0.7 ms of CPU (in-process, SDK v2 era), as much as the MCP layer itself. A client calling
 * tools in a row sends the same token each time, so the result is reused for as long as the
 * token-record cache would reuse the KV record anyway (the same trade-off: a token revoked through
 * another isolate keeps working here for up to this long; revocations in this isolate apply at once).
 */
export const VERIFIED_TOKEN_TTL_MS = TOKEN_RECORD_TTL_MS;
/** Bound on cached tokens per isolate; the oldest entry goes first. */
export const VERIFIED_TOKEN_CACHE_MAX = 1_000;

/**
 * What the provider hands the /mcp handler for a valid token, kept whole: `auth` must stay the
 * provider's full shape, or agents sets no authInfo and the tools' scope checks are skipped.
 */
export interface VerifiedAccess {
  props: McpProps;
  auth: OAuthResourceAuth;
}

interface Entry extends VerifiedAccess {
  /** The grant the token belongs to, for invalidation. */
  grant: GrantRef;
  freshUntil: number;
}

/** Keyed by `<origin> <token>`: a token is bound to one resource (the origin), and only verified there. */
const entries = new Map<string, Entry>();
/** kvWriteCount() when each request went to the provider: a write since then may have revoked its token. */
const verificationStarts = new WeakMap<Request, number>();

// A put or delete of a grant's token or grant record (issue, refresh, revoke) drops that grant's tokens.
onKvWrite((key) => {
  const grant = grantOfKvKey(key);
  if (grant === undefined) return;
  for (const [cacheKey, entry] of entries) {
    if (sameGrant(entry.grant, grant)) entries.delete(cacheKey);
  }
});

/**
 * The cached verification for this request, if it can skip the provider: a POST to /mcp from a
 * non-browser client (the provider adds CORS headers to answers for an `Origin`), whose bearer token
 * was verified for this origin, is still fresh here and has not expired.
 */
export function cachedVerification(request: Request, origin: string, now = Date.now()): VerifiedAccess | undefined {
  if (request.method !== 'POST' || request.headers.has('Origin')) return undefined;
  const token = bearerTokenOf(request);
  if (token === undefined || new URL(request.url).pathname !== mcpServer.paths.mcp) return undefined;
  const key = cacheKey(origin, token);
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.freshUntil <= now) {
    entries.delete(key);
    return undefined;
  }
  return { props: entry.props, auth: entry.auth };
}

/** Call before handing a request to the provider, so that a revocation during its verification is noticed. */
export function noteVerificationStart(request: Request): void {
  verificationStarts.set(request, kvWriteCount());
}

/**
 * Wraps the /mcp handler the provider calls once it has verified the token: the verification is
 * remembered, unless a KV write happened in this isolate while it ran (it may have revoked the token).
 */
export function rememberingVerifiedTokens(
  origin: string,
  handler: { fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response> },
) {
  return {
    fetch(request: Request, env: Env, ctx: McpHandlerContext): Promise<Response> {
      remember(request, origin, ctx);
      return handler.fetch(request, env, ctx);
    },
  };
}

function remember(request: Request, origin: string, ctx: McpHandlerContext): void {
  const startedAt = verificationStarts.get(request);
  const token = bearerTokenOf(request);
  const expiresAt = ctx.auth?.expiresAt;
  const grant = token === undefined ? undefined : grantOfAccessToken(token);
  if (startedAt !== kvWriteCount() || token === undefined || grant === undefined || !ctx.auth || expiresAt === undefined) return;
  const freshUntil = Math.min(Date.now() + VERIFIED_TOKEN_TTL_MS, expiresAt * 1000);
  const key = cacheKey(origin, token);
  entries.delete(key); // re-inserted last, so the oldest entry stays first
  entries.set(key, { props: ctx.props, auth: ctx.auth, grant, freshUntil });
  if (entries.size > VERIFIED_TOKEN_CACHE_MAX) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
}

/** For tests: forget every verified token. */
export function clearVerifiedTokenCache(): void {
  entries.clear();
}

function cacheKey(origin: string, token: string): string {
  return `${origin} ${token}`;
}
