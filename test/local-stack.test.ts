// The local stack end to end over real HTTP: local IdP tokens (code flow and M2M) against the Todos API in workerd.
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePortsFree, PortInUseError } from '../scripts/local-stack/ensure-ports-free.js';
import { type LocalStack, startLocalStack } from '../scripts/local-stack/start-local-stack.js';
import { mcpCallbackUrl, mcpServer, todosApi } from '../system/system.js';
import { clientCredentialsToken, userTokensViaCodeFlow } from './support/idp-tokens.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// Not the dev ports, and apart from other test files' ports, so tests can run next to `npm run dev`.
const ports = { mcp: 18788, api: 18789, idp: 18790 };

let testStack: TestStack;
let stack: LocalStack;
let stateDir: string;

function alice(s: LocalStack): { email: string; password: string } {
  const user = s.idp.users.find((u) => u.email.startsWith('alice'));
  if (!user) throw new Error(`No alice among the local users: ${s.idp.users.map((u) => u.email).join(', ')}`);
  return user;
}

async function aliceAccessToken(s: LocalStack): Promise<string> {
  const { email, password } = alice(s);
  const tokens = await userTokensViaCodeFlow({
    issuer: s.urls.issuer,
    clientId: s.idp.mcpApp.clientId,
    clientSecret: s.idp.mcpApp.clientSecret,
    redirectUri: mcpCallbackUrl(s.urls.mcp),
    username: email,
    password,
    // What the MCP server's login asks for once the user approved writing too.
    scope: `${mcpServer.scope} write:todos`,
    audience: todosApi.identifier,
  });
  return tokens.access_token;
}

function api(s: LocalStack, pathname: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(new URL(pathname, s.urls.api), { ...init, headers });
}

async function todoTitles(response: Response): Promise<string[]> {
  const body = (await response.json()) as { todos: Array<{ title: string }> };
  return body.todos.map((todo) => todo.title);
}

/** Run `npm run token` (scripts/token.ts) against the test stack, as a user would after `npm run dev`. */
async function runTokenScript(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      path.join(repoRoot, 'scripts', 'token.ts'),
      '--port',
      String(ports.idp),
      '--api-port',
      String(ports.api),
      '--state-dir',
      path.join(stateDir, 'idp'),
      ...args,
    ],
    { cwd: repoRoot },
  );
  return stdout;
}

beforeAll(async () => {
  testStack = await startTestStack({ ports });
  ({ stack, stateDir } = testStack);
});

afterAll(async () => {
  await testStack?.dispose();
});

describe('local stack', () => {
  it('should serve the IdP discovery document with the issuer the Workers trust', async () => {
    const response = await fetch(new URL('.well-known/openid-configuration', stack.urls.issuer));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(stack.urls.issuer);
    expect(stack.urls).toEqual({ mcp: 'http://localhost:18788', api: 'http://localhost:18789', issuer: 'http://localhost:18790/' });
  });

  it('should run both Workers, each on its own localhost port', async () => {
    expect(stack.workers.map((w) => [w.name, w.url]).sort()).toEqual([
      [mcpServer.workerName, stack.urls.mcp],
      [todosApi.workerName, stack.urls.api],
    ]);
    const health = await fetch(new URL('/api/health', stack.urls.api));
    expect(health.status).toBe(200);
  });

  it('should wire the MCP server to its local URL (OAuth metadata issued for http://localhost:<mcp port>)', async () => {
    const response = await fetch(new URL('/.well-known/oauth-authorization-server', stack.urls.mcp));
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as { issuer: string; authorization_endpoint: string };
    expect(metadata.issuer).toBe(stack.urls.mcp);
    expect(metadata.authorization_endpoint).toBe(`${stack.urls.mcp}/authorize`);
  });

  it('should reject a call without a token with a Bearer challenge', async () => {
    const response = await api(stack, '/api/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });

  it("should let alice, logged in through the local IdP's login page, read her claims and create and list todos", async () => {
    const token = await aliceAccessToken(stack);

    const me = await api(stack, '/api/me', token);
    expect(me.status).toBe(200);
    const claims = (await me.json()) as Record<string, unknown>;
    expect(JSON.stringify(claims)).toContain(todosApi.identifier);

    const title = `buy milk ${Date.now()}`;
    const created = await api(stack, '/api/todos', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(created.status).toBe(201);

    const listed = await api(stack, '/api/todos', token);
    expect(listed.status).toBe(200);
    expect(await todoTitles(listed)).toContain(title);
  });

  it("should accept the machine-to-machine (client_credentials) token of the tutorial's Test Application on /api/me", async () => {
    const { access_token } = await clientCredentialsToken({
      issuer: stack.urls.issuer,
      clientId: stack.idp.testApp.clientId,
      clientSecret: stack.idp.testApp.clientSecret,
      audience: todosApi.identifier,
    });
    const me = await api(stack, '/api/me', access_token);
    expect(me.status).toBe(200);
  });

  it('should print, with `npm run token`, a curl line that works against the Todos API', async () => {
    const printed = await runTokenScript();
    const curl = /curl -H "Authorization: Bearer ([^"]+)" (\S+)/.exec(printed);
    expect(curl, printed).not.toBeNull();
    const [, token = '', url = ''] = curl ?? [];
    expect(url).toBe(`${stack.urls.api}/api/me`);
    const me = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { sub: string }).sub).toBe(stack.idp.testApp.clientId);

    const raw = (await runTokenScript('--raw')).trim();
    expect((await api(stack, '/api/me', raw)).status).toBe(200);
  });

  it('should stop and restart the IdP alone on the same port and keys (for fault tests)', async () => {
    const token = await aliceAccessToken(stack);
    const discovery = new URL('.well-known/openid-configuration', stack.urls.issuer);
    await stack.stopIdp();
    await expect(fetch(discovery)).rejects.toThrow();
    await stack.startIdp();
    expect((await fetch(discovery)).status).toBe(200);
    // Same signing keys after the IdP restart: the Todos API still accepts the earlier token.
    expect((await api(stack, '/api/todos', token)).status).toBe(200);
  });

  it('should keep todos (D1) and IdP signing keys across a restart, with cached bundles', async () => {
    const token = await aliceAccessToken(stack);
    const title = `survives restart ${Date.now()}`;
    const created = await api(stack, '/api/todos', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(created.status).toBe(201);

    const restartedAt = performance.now();
    stack = await testStack.restart();
    const readyMs = performance.now() - restartedAt;

    // (Fails only if a Worker's sources change during the run: the cache is keyed by their hash.)
    expect(stack.workers.filter((w) => !w.fromCache).map((w) => w.name)).toEqual([]);
    expect(readyMs).toBeLessThan(5_000);
    // The token minted before the restart still verifies: same keys, same issuer.
    const listed = await api(stack, '/api/todos', token);
    expect(listed.status).toBe(200);
    expect(await todoTitles(listed)).toContain(title);
  });

  it('should refuse to start a second stack on busy ports, naming the port, and leave the first one running', async () => {
    const second = startLocalStack({ ports, stateDir, log: () => {} });
    await expect(second).rejects.toBeInstanceOf(PortInUseError);
    await expect(second).rejects.toThrow(/Port 1879\d .*already in use/);
    expect((await api(stack, '/api/me')).status).toBe(401);
  });

  it('should name a port held by another program', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(18799, '127.0.0.1', resolve));
    try {
      const other = startLocalStack({ ports: { mcp: 18797, api: 18798, idp: 18799 }, stateDir, log: () => {} });
      await expect(other).rejects.toThrow(/Port 18799 \(local IdP\) is already in use/);
    } finally {
      blocker.close();
    }
  });

  it('should free its ports and leave no workerd process behind when stopped', async () => {
    await stack.stop();
    await expect(ensurePortsFree(Object.values(ports).map((port) => ({ port, service: 'test' })))).resolves.toBeUndefined();
    const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]).catch(() => ({ stdout: '' }));
    expect(stdout).not.toMatch(/workerd/);
  });
});
