// MCP end to end: the official MCP SDK client signs in through the real OAuth flow (consent + local IdP login) and
// uses every tool over /mcp and /sse against the real Todos API; upstream expiry, IdP revocation, user isolation.

import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { mcpToolPermissions } from '../system/system.js';
import { connectMcp, DriverOAuthProvider, type TransportKind } from './support/mcp-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files.
const ports = { mcp: 28788, api: 28789, idp: 28790 };
/** Upstream access tokens live 63 s: inside the 60 s refresh margin after 3 s, so expiry is reached quickly. */
const upstreamTtlSeconds = 63;

let testStack: TestStack;
let stack: LocalStack;

function user(prefix: 'alice' | 'bob'): { username: string; password: string; sub: string } {
  const found = stack.idp.users.find((u) => u.email.startsWith(prefix));
  if (!found) throw new Error(`no ${prefix} among the local users`);
  return { username: found.email, password: found.password, sub: found.sub };
}

function text(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** Every tool answer the tests saw: checked at the end for leaked tokens. */
const answers: string[] = [];

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  answers.push(JSON.stringify(result));
  return result;
}

beforeAll(async () => {
  testStack = await startTestStack({ ports, idp: { accessTokenTtlSeconds: upstreamTtlSeconds } });
  stack = testStack.stack;
});

afterAll(async () => {
  await testStack?.dispose();
});

describe.each<TransportKind>(['streamable-http', 'sse'])('MCP over %s', (kind) => {
  let provider: DriverOAuthProvider;
  let client: Client;

  beforeAll(async () => {
    provider = new DriverOAuthProvider(user('alice'));
    client = await connectMcp(kind, stack.urls.mcp, provider);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('should have signed in through consent and the IdP login, with MCP tokens only', () => {
    expect(provider.authorizationUrls).toHaveLength(1);
    expect(provider.authorizationUrls[0]!.href.startsWith(`${stack.urls.mcp}/authorize`)).toBe(true);
    const tokens = provider.tokens()!;
    expect(tokens.refresh_token).toBeTruthy();
    // Opaque MCP tokens, not the IdP's JWTs.
    expect(tokens.access_token.split('.')).not.toHaveLength(3);
  });

  it('should list every tool', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(mcpToolPermissions).sort());
  });

  it('should run every todo tool against the real Todos API', async () => {
    const who = await call(client, 'whoami');
    expect(who.isError).toBeFalsy();
    expect(text(who)).toContain(user('alice').username);

    const added = await call(client, 'add-todo', { title: `e2e ${kind}` });
    expect(added.isError, text(added)).toBeFalsy();
    const todo = JSON.parse(text(added)) as { id: string; title: string };
    expect(todo.title).toBe(`e2e ${kind}`);

    const listed = await call(client, 'list-todos');
    expect(listed.isError, text(listed)).toBeFalsy();
    expect(text(listed)).toContain(`e2e ${kind}`);

    const completed = await call(client, 'complete-todo', { id: todo.id });
    expect(completed.isError, text(completed)).toBeFalsy();
    expect(JSON.parse(text(completed))).toMatchObject({ id: todo.id, completed: true });

    const deleted = await call(client, 'delete-todo', { id: todo.id });
    expect(deleted.isError, text(deleted)).toBeFalsy();
    expect(text(await call(client, 'list-todos'))).not.toContain(todo.id);
  });

  it('should refuse billing, which this deployment does not let users grant', async () => {
    if (kind === 'sse') {
      // Legacy SSE answers with a tool result naming the permission.
      const billing = await call(client, 'list-billing');
      expect(billing.isError).toBe(true);
      expect(text(billing)).toMatch(/not granted read:billing/);
    } else {
      // 403 insufficient_scope; SDK v1 1.32.2 tries to upscope by refreshing and then gives up.
      await expect(call(client, 'list-billing')).rejects.toThrow(/403/);
    }
  });
});

describe('isolation, expiry and revocation', () => {
  it("should not show user A's todos to user B", async () => {
    const alice = await connectMcp('streamable-http', stack.urls.mcp, new DriverOAuthProvider(user('alice')));
    const bob = await connectMcp('streamable-http', stack.urls.mcp, new DriverOAuthProvider(user('bob')));
    try {
      const secret = `alice only ${crypto.randomUUID()}`;
      expect((await call(alice, 'add-todo', { title: secret })).isError).toBeFalsy();
      expect(text(await call(alice, 'list-todos'))).toContain(secret);
      const bobs = await call(bob, 'list-todos');
      expect(bobs.isError, text(bobs)).toBeFalsy();
      expect(text(bobs)).not.toContain(secret);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('should answer 16 concurrent tool calls at the upstream expiry with exactly one refresh at the IdP and no failure', async () => {
    const client = await connectMcp('streamable-http', stack.urls.mcp, new DriverOAuthProvider(user('alice')));
    try {
      expect((await call(client, 'list-todos')).isError).toBeFalsy();
      const before = stack.idp.stats().refreshGrants;
      await new Promise((resolve) => setTimeout(resolve, 4_000)); // now within 60 s of expiry
      const results = await Promise.all(Array.from({ length: 16 }, () => call(client, 'list-todos')));
      for (const result of results) expect(result.isError, text(result)).toBeFalsy();
      expect(stack.idp.stats().refreshGrants - before).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('should refresh through the SDK (MCP and upstream tokens rotate) and keep working', async () => {
    const provider = new DriverOAuthProvider(user('alice'));
    await (await connectMcp('streamable-http', stack.urls.mcp, provider)).close();
    const before = { tokens: provider.tokens()!, refreshes: stack.idp.stats().refreshGrants };
    expect(await auth(provider, { serverUrl: new URL('/mcp', stack.urls.mcp) })).toBe('AUTHORIZED');
    const after = provider.tokens()!;
    expect(after.refresh_token).not.toBe(before.tokens.refresh_token);
    expect(after.access_token).not.toBe(before.tokens.access_token);
    expect(stack.idp.stats().refreshGrants - before.refreshes).toBe(1);
    expect(provider.authorizationUrls).toHaveLength(1); // no second sign-in
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    try {
      const listed = await call(client, 'list-todos');
      expect(listed.isError, text(listed)).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('should answer invalid_grant on the next MCP refresh once the IdP revoked the user, and drop the grant', async () => {
    const provider = new DriverOAuthProvider(user('bob'));
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    await client.close();
    const whoami = await connectMcp('streamable-http', stack.urls.mcp, provider);
    const sub = (JSON.parse(text(await call(whoami, 'whoami'))) as { claims: { sub: string } }).claims.sub;
    await whoami.close();

    await stack.idp.revokeUserGrants(sub);
    const tokenEndpoint = new URL('/oauth/token', stack.urls.mcp);
    const refresh = () =>
      fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: provider.tokens()!.refresh_token!,
          client_id: provider.clientInformation()!.client_id,
        }),
      });
    const response = await refresh();
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    // The grant is gone: its access token is refused at /mcp.
    const mcp = await fetch(new URL('/mcp', stack.urls.mcp), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${provider.tokens()!.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(401);
  });

  it('should end the grant at the first tool call that finds the IdP revoked the user, so the next request is refused', async () => {
    const provider = new DriverOAuthProvider(user('bob'));
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    try {
      const whoami = JSON.parse(text(await call(client, 'whoami'))) as { claims: { sub: string } };
      await stack.idp.revokeUserGrants(whoami.claims.sub);
      await new Promise((resolve) => setTimeout(resolve, 4_000)); // upstream token now within 60 s of expiry: the next call refreshes
      const refused = await call(client, 'list-todos');
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/sign in again/);
    } finally {
      await client.close();
    }
    const mcp = await fetch(new URL('/mcp', stack.urls.mcp), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${provider.tokens()!.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(401);
  });

  it('should refuse an access token at once after the client revokes it (RFC 7009), even right after a call', async () => {
    const provider = new DriverOAuthProvider(user('alice'));
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    const accessToken = provider.tokens()!.access_token;
    const toolsList = () =>
      fetch(new URL('/mcp', stack.urls.mcp), {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${accessToken}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    try {
      // Accepted twice in a row: the second time from the MCP server's short-lived verified-token cache.
      expect((await call(client, 'list-todos')).isError).toBeFalsy();
      expect((await toolsList()).status).toBe(200);

      const revoked = await fetch(new URL('/oauth/token', stack.urls.mcp), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: accessToken,
          token_type_hint: 'access_token',
          client_id: provider.clientInformation()!.client_id,
        }),
      });
      expect(revoked.status).toBe(200);
      await revoked.body?.cancel();

      const refused = await toolsList();
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token/);
      await refused.body?.cancel();
    } finally {
      await client.close();
    }
  });

  it('should never put an upstream token into a tool answer', () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) expect(answer).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  });

  it('should never put a token or secret into the logs', () => {
    const secrets = [stack.idp.mcpApp.clientSecret];
    const logs = testStack.logs.join('\n');
    // The request lines (written after each response) did reach workerd's log: there is something to search.
    expect(logs).toMatch(/"event":"request".*"route":"\/mcp".*"status":200/);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/); // no JWT (IdP access or ID token)
  });
});
