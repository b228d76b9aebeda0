// Carries the CURRENT request's grant props to the tools through the SDK's per-message `authInfo`.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpProps } from '../props.js';

/**
 * What the OAuth provider verified about the MCP access token (its `ctx.auth`). Optional: the
 * handler contract only guarantees `ctx.props`.
 */
export interface VerifiedMcpToken {
  clientId?: string;
  scope?: string[];
  expiresAt?: number;
}

const PROPS_KEY = 'mcpProps';

/**
 * Builds the SDK `AuthInfo` for one incoming message. `token` is left empty on purpose: tools never
 * need the MCP access token, so it is not copied anywhere (and never travels to a Durable Object).
 * Props ride along per message, so a tool always sees the grant as it is now, never a stale copy.
 */
export function mcpAuthInfo(props: McpProps, verified?: VerifiedMcpToken): AuthInfo {
  return {
    token: '',
    clientId: verified?.clientId ?? '',
    scopes: verified?.scope ?? [],
    ...(verified?.expiresAt === undefined ? {} : { expiresAt: verified.expiresAt }),
    extra: { [PROPS_KEY]: props },
  };
}

/** The grant props of the message a tool is answering, or undefined if the transport sent none. */
export function mcpPropsOf(extra: { authInfo?: AuthInfo | undefined }): McpProps | undefined {
  const props = extra.authInfo?.extra?.[PROPS_KEY];
  return isMcpProps(props) ? props : undefined;
}

function isMcpProps(value: unknown): value is McpProps {
  if (typeof value !== 'object' || value === null) return false;
  const { claims, upstream } = value as Partial<McpProps>;
  return typeof claims?.sub === 'string' && typeof upstream?.accessToken === 'string';
}
