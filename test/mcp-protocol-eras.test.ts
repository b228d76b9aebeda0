// MCP end to end on the real local stack: the official v2 client pinned to 2026-07-28 on /mcp and POST /sse, 2025-11-25
// clients (initialize) on /mcp and legacy SSE, all through the real OAuth flow; 127.0.0.1 and foreign Origins refused.
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { CookieJar, followLoginFlow } from './support/browserless-mcp-login.js';
import { clientRedirectUri, connectMcp, DriverOAuthProvider } from './support/mcp-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files.
const ports = { mcp: 29788, api: 29789, idp: 29790 };

let testStack: TestStack;
let stack: LocalStack;

function alice(): { username: string; password: string } {
  const found = stack.idp.users.find((u) => u.email.startsWith('alice'));
  if (!found) throw new Error('no alice among the local users');
  return { username: found.email, password: found.password };
}

/** The v2 SDK's OAuth client, its "browser" being the browserless login driver (consent page + IdP login form). */
class V2DriverProvider implements OAuthClientProvider {
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  #discovery: OAuthDiscoveryState | undefined;
  readonly jar = new CookieJar();
  readonly authorizationUrls: URL[] = [];
  /** The query of the last redirect back to the client (code, state, iss). */
  callback: URLSearchParams | undefined;

  constructor(private readonly user: { username: string; password: string }) {}

  get redirectUrl(): string {
    return clientRedirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'e2e MCP v2 client',
      redirect_uris: [clientRedirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
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

/** A v2 client pinned to 2026-07-28 at `url`, signing in first when needed (UnauthorizedError → finishAuth → reconnect). */
async function connectPinned(url: URL, provider: V2DriverProvider): Promise<V2Client> {
  const pinned = () => new V2Client({ name: 'e2e-v2-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const first = pinned();
  const transport = new V2Transport(url, { authProvider: provider });
  try {
    await first.connect(transport);
    return first;
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.callback) throw error;
  }
  await transport.finishAuth(provider.callback);
  const client = pinned();
  await client.connect(new V2Transport(url, { authProvider: provider }));
  return client;
}

function textOf(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

beforeAll(async () => {
  testStack = await startTestStack({ ports });
  stack = testStack.stack;
});

afterAll(async () => {
  await testStack?.dispose();
});

describe.each(['/mcp', '/sse'])('the v2 client pinned to 2026-07-28 on %s (POST: Streamable HTTP)', (path) => {
  let provider: V2DriverProvider;
  let client: V2Client;

  beforeAll(async () => {
    provider = new V2DriverProvider(alice());
    client = await connectPinned(new URL(path, stack.urls.mcp), provider);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('should have negotiated 2026-07-28 after one sign-in through consent and the IdP', () => {
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(provider.authorizationUrls).toHaveLength(1);
    expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
  });

  it('should list the six tools and run them against the real Todos API', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'add-todo',
      'complete-todo',
      'delete-todo',
      'list-billing',
      'list-todos',
      'whoami',
    ]);
    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    expect(whoami.structuredContent).toMatchObject({ claims: { email: 'alice@example.com' } });
    const added = await client.callTool({ name: 'add-todo', arguments: { title: `v2 ${path}` } });
    expect(added.isError).toBeFalsy();
    const listed = await client.callTool({ name: 'list-todos', arguments: {} });
    expect(textOf(listed)).toContain(`v2 ${path}`);
    const billing = await client.callTool({ name: 'list-billing', arguments: {} });
    expect(billing.isError).toBe(true);
    expect(textOf(billing)).toContain('not granted read:billing');
  });
});

describe.each(['streamable-http', 'sse'] as const)('a 2025-11-25 client (initialize) over %s', (kind) => {
  it('should sign in, initialize and call tools', async () => {
    const provider = new DriverOAuthProvider(alice());
    const client = await connectMcp(kind, stack.urls.mcp, provider);
    try {
      expect(client.getServerVersion()?.name).toBe('mcp-auth0-oidc');
      expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(JSON.stringify(whoami)).toContain('alice@example.com');
    } finally {
      await client.close();
    }
  });
});

describe('one canonical origin', () => {
  const loopbackIp = () => stack.urls.mcp.replace('localhost', '127.0.0.1');

  it('should refuse a client aimed at 127.0.0.1 before any login, naming the canonical URL', async () => {
    const provider = new V2DriverProvider(alice());
    await expect(connectPinned(new URL('/mcp', loopbackIp()), provider)).rejects.toThrow(); // the pinned client reports its failed discover; the 421 body below names the URL
    expect(provider.authorizationUrls).toHaveLength(0);
    const response = await fetch(new URL('/mcp', loopbackIp()), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(421);
    expect(await response.text()).toContain(`${stack.urls.mcp}/mcp`);
  });

  it('should redirect metadata and /authorize on 127.0.0.1 to localhost', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server', '/authorize?client_id=x']) {
      const response = await fetch(new URL(path, loopbackIp()), { redirect: 'manual' });
      expect(response.status).toBe(308);
      expect(response.headers.get('Location')).toBe(new URL(path, stack.urls.mcp).href);
    }
  });

  it('should answer 403 to a foreign Origin on /mcp and /sse, and let a request without Origin reach the OAuth challenge', async () => {
    for (const path of ['/mcp', '/sse']) {
      const foreign = await fetch(new URL(path, stack.urls.mcp), {
        method: 'POST',
        headers: { Origin: 'https://evil.example' },
        body: '{}',
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('Access-Control-Allow-Origin')).toBeNull();
    }
    const native = await fetch(new URL('/mcp', stack.urls.mcp), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(native.status).toBe(401);
  });
});
