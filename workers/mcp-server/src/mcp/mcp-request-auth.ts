// What the OAuth provider hands the MCP handlers (the verified token and the grant props), and how tools read the props back.
import type { OAuthResourceAuth } from '@cloudflare/workers-oauth-provider';
import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server';
import type { McpProps } from '../props.js';

/**
 * The provider's ctx for an API handler: the grant's props and the verified token (`ctx.auth`);
 * plus, set by the Worker's entry, a way to end the grant when the IdP has refused it.
 */
export type McpHandlerContext = ExecutionContext & { props: McpProps; auth: OAuthResourceAuth; endGrant?: () => Promise<void> };

/**
 * `ctx.auth` as agents' createMcpHandler needs it to build the SDK's `authInfo`. Without every field
 * it sets no `authInfo`, silently, and the per-tool `scopeChallenge`s then let every call through.
 */
export type CompleteResourceAuth = OAuthResourceAuth & { clientId: string };

/** Where the grant props ride in `authInfo.extra`: the key agents uses, so one reader serves /mcp and /sse. */
const PROPS_KEY = 'props';

/**
 * Whether `auth` has the shape agents accepts (the same rules as its `getResourceAuthInfo`): a
 * non-empty token and client id, an http(s) audience, a string[] scope and a positive expiry if any.
 */
export function isCompleteResourceAuth(auth: unknown): auth is CompleteResourceAuth {
  if (typeof auth !== 'object' || auth === null) return false;
  const { token, audience, scope, clientId, expiresAt } = auth as Partial<Record<keyof OAuthResourceAuth, unknown>>;
  return (
    typeof token === 'string' &&
    token.length > 0 &&
    typeof clientId === 'string' &&
    clientId.length > 0 &&
    typeof audience === 'string' &&
    /^https?:\/\//.test(audience) &&
    URL.canParse(audience) &&
    Array.isArray(scope) &&
    scope.every((entry) => typeof entry === 'string') &&
    (expiresAt === undefined || (typeof expiresAt === 'number' && Number.isFinite(expiresAt) && expiresAt > 0))
  );
}

/**
 * The verified token as it crosses into the SSE session's Durable Object: no token (tools never need
 * it, so it never travels), the resource as a string (what RPC can carry).
 */
export interface SessionAuth {
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  resource: string;
  props: McpProps;
}

export function sessionAuthOf(auth: CompleteResourceAuth, props: McpProps): SessionAuth {
  return {
    clientId: auth.clientId,
    scopes: [...auth.scope],
    ...(auth.expiresAt === undefined ? {} : { expiresAt: auth.expiresAt }),
    resource: auth.audience,
    props,
  };
}

/**
 * The SDK `AuthInfo` for one /mcp or POST /sse request, as agents' createMcpHandler would build it
 * from the provider's ctx (the handlers build it themselves, to hand it over with the parsed body).
 */
export function requestAuthInfo(auth: CompleteResourceAuth, props: McpProps): AuthInfo {
  return authInfoOf(auth.token, sessionAuthOf(auth, props));
}

/**
 * The SDK `AuthInfo` for one message delivered to an SSE session, shaped as for /mcp (no token: it
 * never travels into the session). Props ride along per message, so a tool always sees the grant as it is now.
 */
export function sessionAuthInfo(auth: SessionAuth): AuthInfo {
  return authInfoOf('', auth);
}

function authInfoOf(token: string, auth: SessionAuth): AuthInfo {
  return {
    token,
    clientId: auth.clientId,
    scopes: [...auth.scopes],
    ...(auth.expiresAt === undefined ? {} : { expiresAt: auth.expiresAt }),
    resource: new URL(auth.resource),
    extra: { [PROPS_KEY]: auth.props },
  };
}

/** The grant props of the request a tool is answering, or undefined if the transport sent none. */
export function mcpPropsOf(ctx: ServerContext): McpProps | undefined {
  return ctx.http?.authInfo ? propsOfAuthInfo(ctx.http.authInfo) : undefined;
}

/** The grant props riding in an `AuthInfo` (what the SDK hands scope checks), or undefined. */
export function propsOfAuthInfo(authInfo: AuthInfo): McpProps | undefined {
  const props = authInfo.extra?.[PROPS_KEY];
  return isMcpProps(props) ? props : undefined;
}

function isMcpProps(value: unknown): value is McpProps {
  if (typeof value !== 'object' || value === null) return false;
  const { claims, upstream } = value as Partial<McpProps>;
  return typeof claims?.sub === 'string' && typeof upstream?.accessToken === 'string';
}
