// The official v2 MCP client (pinned to 2026-07-28) signing in through the server's real OAuth flow, its "browser"
// being the browserless login driver; and the host side of step-up (UnauthorizedError → finishAuth → retry).
import {
  type CallToolResult,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  UnauthorizedError,
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { CookieJar, followLoginFlow } from './browserless-mcp-login.js';
import { clientRedirectUri, publicClientMetadata } from './mcp-oauth-driver.js';
import { StoredOAuthClient } from './stored-oauth-client.js';

/** The v2 SDK's OAuth client, its "browser" being the browserless login driver (consent page + IdP login form). */
export class V2DriverProvider extends StoredOAuthClient<OAuthClientInformationMixed, OAuthTokens> implements OAuthClientProvider {
  #discovery: OAuthDiscoveryState | undefined;
  readonly jar = new CookieJar();
  readonly authorizationUrls: URL[] = [];
  /** The query of the last redirect back to the client (code, state, iss). */
  callback: URLSearchParams | undefined;

  private readonly user: { username: string; password: string };

  constructor(user: { username: string; password: string }) {
    super();
    this.user = user;
  }

  get redirectUrl(): string {
    return clientRedirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return publicClientMetadata('e2e MCP v2 client');
  }
  discoveryState() {
    return this.#discovery;
  }
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizationUrls.push(url);
    const back = await followLoginFlow({
      startUrl: url,
      ...this.user,
      jar: this.jar,
      stopAt: (next) => next.href.startsWith(clientRedirectUri),
    });
    this.callback = back.searchParams;
  }
}

/** A v2 client connected at `url`, with the transport a host needs to finish a step-up. */
export interface PinnedConnection {
  client: V2Client;
  transport: V2Transport;
}

/** A v2 client pinned to 2026-07-28 at `url`, signing in first when needed (UnauthorizedError → finishAuth → reconnect). */
export async function connectPinned(url: URL, provider: V2DriverProvider): Promise<PinnedConnection> {
  const pinned = () => new V2Client({ name: 'e2e-v2-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const first = pinned();
  const firstTransport = new V2Transport(url, { authProvider: provider });
  try {
    await first.connect(firstTransport);
    return { client: first, transport: firstTransport };
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.callback) throw error;
  }
  await firstTransport.finishAuth(provider.callback);
  const client = pinned();
  const transport = new V2Transport(url, { authProvider: provider });
  await client.connect(transport);
  return { client, transport };
}

/**
 * Calls a tool as an MCP host does: on 403 insufficient_scope the client re-authorizes with the union of scopes
 * (the provider plays the browser: consent page, IdP login) and rejects the call with UnauthorizedError; the host
 * then finishes the authorization and retries once.
 */
export async function callToolWithStepUp(
  connection: PinnedConnection,
  provider: V2DriverProvider,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  try {
    return (await connection.client.callTool({ name, arguments: args })) as CallToolResult;
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.callback) throw error;
  }
  await connection.transport.finishAuth(provider.callback);
  return (await connection.client.callTool({ name, arguments: args })) as CallToolResult;
}
