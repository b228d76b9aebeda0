// Connects the official MCP SDK client through the server's real OAuth flow: an OAuthClientProvider whose
// "browser" is the browserless login driver (consent page + IdP login form, with a cookie jar).
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { CookieJar, followLoginFlow } from './browserless-mcp-login.js';
import { StoredOAuthClient } from './stored-oauth-client.js';

/** Where the MCP client "listens" for the authorization response; never requested, the driver stops there. */
export const clientRedirectUri = 'http://127.0.0.1:53682/oauth/callback';

/** What the e2e MCP clients register: a public client (PKCE, no secret) with the driver's redirect URI. */
export function publicClientMetadata(clientName: string) {
  return {
    client_name: clientName,
    redirect_uris: [clientRedirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/** The v1 SDK's OAuth client for e2e: stored in memory, its "browser" being the login driver (consent page + IdP login). */
export class DriverOAuthProvider extends StoredOAuthClient<OAuthClientInformationMixed, OAuthTokens> implements OAuthClientProvider {
  /** The `code` the last authorization produced (read by connectMcp to finish the flow). */
  authorizationCode: string | undefined;
  /** Every authorization URL the SDK sent the "browser" to. */
  readonly authorizationUrls: URL[] = [];
  readonly jar = new CookieJar();

  private readonly user: { username: string; password: string };

  constructor(user: { username: string; password: string }) {
    super();
    this.user = user;
  }

  get redirectUrl(): string {
    return clientRedirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return publicClientMetadata('e2e MCP client');
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizationUrls.push(url);
    const back = await followLoginFlow({
      startUrl: url,
      username: this.user.username,
      password: this.user.password,
      jar: this.jar,
      stopAt: (next) => next.href.startsWith(clientRedirectUri),
    });
    const error = back.searchParams.get('error');
    if (error) throw new Error(`authorization failed: ${error}`);
    this.authorizationCode = back.searchParams.get('code') ?? undefined;
  }
}

export type TransportKind = 'streamable-http' | 'sse';

function transportFor(kind: TransportKind, baseUrl: string, provider: DriverOAuthProvider) {
  return kind === 'sse'
    ? new SSEClientTransport(new URL('/sse', baseUrl), { authProvider: provider })
    : new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { authProvider: provider });
}

/**
 * An MCP client connected over `kind`, signing in first if the provider has no tokens yet: the SDK's
 * own `auth()` does discovery, registration and PKCE; the driver plays the browser.
 */
export async function connectMcp(kind: TransportKind, baseUrl: string, provider: DriverOAuthProvider): Promise<Client> {
  const serverUrl = new URL(kind === 'sse' ? '/sse' : '/mcp', baseUrl);
  if (!provider.tokens()) {
    const first = await auth(provider, { serverUrl });
    if (first === 'REDIRECT') {
      if (!provider.authorizationCode) throw new Error('the authorization flow produced no code');
      const done = await auth(provider, { serverUrl, authorizationCode: provider.authorizationCode });
      if (done !== 'AUTHORIZED') throw new Error(`token exchange did not complete: ${done}`);
    }
  }
  const client = new Client({ name: 'e2e-mcp-client', version: '1.0.0' });
  await client.connect(transportFor(kind, baseUrl, provider));
  return client;
}
