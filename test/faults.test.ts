// Fault tolerance of the local stack through its real parts: IdP down at sign-in and at refresh, the Todos API failing,
// a full restart mid-session, and malformed or oversized MCP requests. Nothing is mocked: workerd, the local IdP and the official MCP SDK client.
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TemporarilyUnavailableError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { mcpServer, todosApi } from '../system/system.js';
import { followLoginFlow } from './support/browserless-mcp-login.js';
import {
  jwtPattern,
  leakedSecrets,
  localUser,
  postMcp,
  type RawMcpAnswer,
  RecordingOAuthProvider,
  resultText,
  stackTracePattern,
  toolCallBody,
} from './support/fault-tools.js';
import { connectMcp, DriverOAuthProvider } from './support/mcp-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files.
const ports = { mcp: 31788, api: 31789, idp: 31790 };

let testStack: TestStack;
let stack: LocalStack;

/** Every body the tests received and every token they held: checked at the end for leaks. */
const bodies: string[] = [];
const heldTokens: OAuthTokens[] = [];

function remember(provider: DriverOAuthProvider): void {
  const tokens = provider.tokens();
  if (tokens) heldTokens.push(tokens);
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  bodies.push(JSON.stringify(result));
  return result;
}

async function fetchPage(url: URL, init: RequestInit & { cookie?: string | undefined }): Promise<{ response: Response; html: string }> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'text/html');
  if (init.cookie) headers.set('cookie', init.cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  const html = await response.text();
  bodies.push(html);
  return { response, html };
}

/** An error page as a user should see it: HTML, the given status, no redirect anywhere, no trace or token. */
function expectErrorPage(page: { response: Response; html: string }, status: number, title: RegExp): void {
  expect(page.response.status, page.html).toBe(status);
  expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.response.headers.get('location')).toBeNull();
  expect(page.html).toMatch(title);
  expect(page.html).not.toMatch(stackTracePattern);
  expect(page.html).not.toMatch(/[?&]code=/);
  expect(page.html).not.toMatch(jwtPattern);
}

/** The SDK's start of an authorization (discovery, registration, PKCE), stopped before any page is opened. */
async function beginAuthorization(provider: RecordingOAuthProvider): Promise<URL> {
  expect(await auth(provider, { serverUrl: new URL(mcpServer.paths.mcp, stack.urls.mcp) })).toBe('REDIRECT');
  const url = provider.authorizationUrls.at(-1);
  if (!url) throw new Error('the SDK produced no authorization URL');
  return url;
}

function todosOf(result: CallToolResult): Array<{ id: string; title: string }> {
  expect(result.isError, resultText(result)).toBeFalsy();
  return (JSON.parse(resultText(result)) as { todos: Array<{ id: string; title: string }> }).todos;
}

beforeAll(async () => {
  testStack = await startTestStack({ ports });
  stack = testStack.stack;
});

afterAll(async () => {
  await testStack?.dispose();
});

describe('IdP down during sign-in', () => {
  // First test of the file on purpose: the MCP server has not fetched the IdP's discovery document yet,
  // so approving the consent is the first moment it needs the IdP.
  it('should answer a clear 503 page after consent when the IdP is unreachable, and redirect nowhere', async () => {
    const provider = new RecordingOAuthProvider(localUser(stack, 'alice'));
    await stack.stopIdp();
    try {
      const authorizeUrl = await beginAuthorization(provider);
      const consent = await fetchPage(authorizeUrl, { method: 'GET' });
      expect(consent.response.status, consent.html).toBe(200);
      provider.jar.store(authorizeUrl, consent.response);
      const handle = /name="handle" value="([^"]+)"/.exec(consent.html)?.[1];
      expect(handle).toBeTruthy();

      const approved = await fetchPage(authorizeUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ handle: handle!, decision: 'approve' }),
        cookie: provider.jar.header(authorizeUrl),
      });
      expectErrorPage(approved, 503, /identity provider is unreachable/i);
    } finally {
      await stack.startIdp();
    }
  });

  it('should answer a clear 503 page at /callback when the IdP went down after the login, then sign in again once it is back', async () => {
    const alice = localUser(stack, 'alice');
    const provider = new RecordingOAuthProvider(alice);
    const authorizeUrl = await beginAuthorization(provider);
    const mcpOrigin = new URL(stack.urls.mcp).origin;
    // Consent and the IdP login run for real; the flow stops at the IdP's redirect back to our /callback.
    const callbackUrl = await followLoginFlow({
      startUrl: authorizeUrl,
      username: alice.username,
      password: alice.password,
      jar: provider.jar,
      stopAt: (next) => next.origin === mcpOrigin && next.pathname === mcpServer.callbackPath,
    });
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();

    await stack.stopIdp();
    try {
      const page = await fetchPage(callbackUrl, { method: 'GET', cookie: provider.jar.header(callbackUrl) });
      expectErrorPage(page, 503, /identity provider is unreachable/i);
    } finally {
      await stack.startIdp();
    }

    // A new sign-in works with the IdP back.
    const fresh = new DriverOAuthProvider(alice);
    const client = await connectMcp('streamable-http', stack.urls.mcp, fresh);
    try {
      remember(fresh);
      expect(fresh.authorizationUrls).toHaveLength(1);
      const who = await call(client, 'whoami');
      expect(who.isError, resultText(who)).toBeFalsy();
      expect(resultText(who)).toContain(alice.username);
    } finally {
      await client.close();
    }
  });
});

describe('IdP down at the MCP refresh', () => {
  it('should answer 503 temporarily_unavailable, keep the grant, and refresh without a new sign-in once the IdP is back', async () => {
    const bob = localUser(stack, 'bob');
    const provider = new DriverOAuthProvider(bob);
    const title = `bob before the outage ${crypto.randomUUID()}`;
    const first = await connectMcp('streamable-http', stack.urls.mcp, provider);
    try {
      expect((await call(first, 'add-todo', { title })).isError).toBeFalsy();
    } finally {
      await first.close();
    }
    remember(provider);
    const before = provider.tokens()!;
    const serverUrl = new URL(mcpServer.paths.mcp, stack.urls.mcp);

    await stack.stopIdp();
    try {
      // The token endpoint itself, as any client sees it.
      const response = await fetch(new URL('/oauth/token', stack.urls.mcp), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: before.refresh_token!,
          client_id: provider.clientInformation()!.client_id,
        }),
      });
      const body = await response.text();
      bodies.push(body);
      expect(response.status, body).toBe(503);
      expect(response.headers.get('retry-after')).toBe('30');
      expect(JSON.parse(body)).toMatchObject({ error: 'temporarily_unavailable' });

      // The SDK's refresh surfaces the same retryable error instead of starting a new sign-in.
      await expect(auth(provider, { serverUrl })).rejects.toBeInstanceOf(TemporarilyUnavailableError);
      expect(provider.authorizationUrls).toHaveLength(1);
      expect(provider.tokens()).toEqual(before);
    } finally {
      await stack.startIdp();
    }

    // Same client, same refresh token: the grant survived the outage.
    expect(await auth(provider, { serverUrl })).toBe('AUTHORIZED');
    remember(provider);
    expect(provider.tokens()!.refresh_token).not.toBe(before.refresh_token);
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    try {
      const titles = todosOf(await call(client, 'list-todos')).map((todo) => todo.title);
      expect(titles).toContain(title);
      expect(provider.authorizationUrls).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe('Todos API down', () => {
  it('should answer tool calls that need it with isError and a clear message, keep the MCP server serving, and recover with no new sign-in', async () => {
    const provider = new DriverOAuthProvider(localUser(stack, 'alice'));
    const title = `alice before the API outage ${crypto.randomUUID()}`;
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    remember(provider);
    try {
      expect((await call(client, 'add-todo', { title })).isError).toBeFalsy();

      await stack.failWorker(todosApi.workerName);
      try {
        const direct = await fetch(new URL('/api/todos', stack.urls.api));
        bodies.push(await direct.text());
        expect(direct.status, 'the stand-in Todos API should be failing').toBe(500);

        for (const [name, args] of [
          ['list-todos', {}],
          ['add-todo', { title: 'written during the outage' }],
        ] as const) {
          const result = await call(client, name, args);
          expect(result.isError, `${name}: ${resultText(result)}`).toBe(true);
          expect(resultText(result)).toBe('The Todos API is unavailable right now; try again.');
        }
        // The MCP server itself is fine: the protocol, tools that need no API, and its OAuth metadata all answer.
        await expect(client.ping()).resolves.toBeDefined();
        expect((await call(client, 'whoami')).isError).toBeFalsy();
        const metadata = await fetch(new URL('/.well-known/oauth-authorization-server', stack.urls.mcp));
        expect(metadata.status).toBe(200);
        await metadata.body?.cancel();
      } finally {
        await stack.restoreWorker(todosApi.workerName);
      }

      // The same client and tokens carry on: the todo from before is there and nothing was written meanwhile.
      const titles = todosOf(await call(client, 'list-todos')).map((todo) => todo.title);
      expect(titles).toContain(title);
      expect(titles).not.toContain('written during the outage');
      expect(provider.authorizationUrls).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe('a restart of the whole stack mid-session', () => {
  let provider: DriverOAuthProvider;

  it('should keep the grant and the data: the same client reconnects with its tokens and sees its todo', async () => {
    provider = new DriverOAuthProvider(localUser(stack, 'alice'));
    const title = `alice before the restart ${crypto.randomUUID()}`;
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    remember(provider);
    try {
      expect((await call(client, 'add-todo', { title })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const signIns = provider.authorizationUrls.length;

    stack = await testStack.restart();

    const again = await connectMcp('streamable-http', stack.urls.mcp, provider);
    try {
      expect(todosOf(await call(again, 'list-todos')).map((todo) => todo.title)).toContain(title);
      expect(provider.authorizationUrls).toHaveLength(signIns);
    } finally {
      await again.close();
    }
  });

  describe('protocol robustness on /mcp with a valid MCP access token', () => {
    let token: string;
    const answers: RawMcpAnswer[] = [];
    const post = async (body: BodyInit): Promise<RawMcpAnswer> => {
      const answer = await postMcp(stack.urls.mcp, token, body);
      answers.push(answer);
      bodies.push(answer.body);
      return answer;
    };
    const listTodos = async (id: number): Promise<unknown> => {
      const answer = await post(toolCallBody(id, 'list-todos', {}));
      expect(answer.status, answer.body).toBe(200);
      const { result } = JSON.parse(answer.body) as { result: CallToolResult };
      return todosOf(result);
    };

    beforeAll(() => {
      token = provider.tokens()!.access_token;
    });

    it('should answer malformed JSON with 400 and JSON-RPC parse error -32700', async () => {
      const answer = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"');
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: expect.any(String) }, id: null });
    });

    it('should answer an unknown tool with JSON-RPC invalid params naming it (MCP SDK v2 McpServer behaviour)', async () => {
      const answer = await post(toolCallBody(2, 'no-such-tool', {}));
      expect(answer.status).toBe(200);
      const parsed = JSON.parse(answer.body) as { id: number; error: { code: number; message: string } };
      expect(parsed.id).toBe(2);
      expect(parsed.error.code).toBe(-32602);
      expect(parsed.error.message).toMatch(/no-such-tool/);
    });

    it('should refuse add-todo with a number as title and write nothing', async () => {
      const before = await listTodos(3);
      const answer = await post(toolCallBody(4, 'add-todo', { title: 42 }));
      expect(answer.status).toBe(200);
      const { result } = JSON.parse(answer.body) as { result: CallToolResult };
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/Input validation error/);
      expect(await listTodos(5)).toEqual(before);
    });

    it('should answer a body over 1 MiB with 413', async () => {
      const padding = 'x'.repeat(1024 * 1024 + 1);
      // The server answers 413 from the declared length without reading the body; the client may still be writing
      // it and see EPIPE instead of the answer (a race in the client, not the server): such an attempt is repeated.
      let answer: Awaited<ReturnType<typeof post>> | undefined;
      for (let attempt = 0; attempt < 5 && !answer; attempt++) {
        answer = await post(toolCallBody(6, 'add-todo', { title: padding })).catch((error: unknown) => {
          if (String((error as { cause?: { code?: string } }).cause?.code) === 'EPIPE') return undefined;
          throw error;
        });
      }
      if (!answer) throw new Error('every attempt ended in EPIPE before the 413 arrived');
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
    });

    it('should never echo a token or a stack trace in these answers', () => {
      expect(answers.length).toBeGreaterThanOrEqual(6);
      for (const answer of answers) {
        expect(answer.body).not.toContain(token);
        expect(answer.body).not.toMatch(jwtPattern);
        expect(answer.body).not.toMatch(stackTracePattern);
      }
    });
  });
});

describe('secrets', () => {
  it('should keep every token and secret out of the bodies the tests saw and out of the stack logs', () => {
    const secrets = [
      stack.idp.mcpApp.clientSecret,
      ...stack.idp.users.map((u) => u.password),
      ...heldTokens.flatMap((t) => [t.access_token, t.refresh_token]),
    ];
    expect(heldTokens.length).toBeGreaterThanOrEqual(4);
    const logs = testStack.logs.join('\n');
    expect(leakedSecrets(logs, secrets), 'secrets found in the stack logs').toBe(0);
    expect(logs).not.toMatch(jwtPattern);
    for (const body of bodies) {
      expect(leakedSecrets(body, secrets), 'secrets found in a response body').toBe(0);
      expect(body).not.toMatch(jwtPattern);
    }
  });
});
