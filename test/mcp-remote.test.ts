// mcp-remote, the stdio bridge Claude Desktop runs (`npx mcp-remote <url>`), against the real local stack: it signs in
// through its own browser flow (Chromium, driven through consent and the IdP login), stores the tokens, and relays
// tool calls from the official MCP client over stdio, on /mcp and on /sse.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BrowserServer } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpServer } from '../system/system.js';
import { launchChromiumServer } from './support/browser.js';
import {
  type BrowserVisit,
  connectThroughMcpRemote,
  isRunning,
  type McpRemoteSession,
  readBrowserVisits,
  waitForBrowserVisits,
  writeBrowserShim,
} from './support/mcp-remote-session.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files; mcp-remote's OAuth callbacks get ports of their own.
const ports = { mcp: 32088, api: 32089, idp: 32090 };
const callbackPorts = { mcp: 32091, sse: 32092 };
const artifacts = path.resolve('test-artifacts', 'mcp-remote');

let testStack: TestStack;
let scratch: string;
let home: string;
let browserShim: string;
let visitsFile: string;
let chromium: BrowserServer;
const open = new Set<McpRemoteSession>();

const alice = { email: 'alice@example.com', password: 'alice-local-password' };
const bob = { email: 'bob@example.com', password: 'bob-local-password' };

function url(route: string): string {
  return `${testStack.stack.urls.mcp}${route}`;
}

/** mcp-remote keeps one set of files per server URL, named after the URL's MD5 (no flags that change it here). */
function storeDir(): string {
  return path.join(home, '.mcp-auth', 'mcp-remote-v1');
}
function tokensFileOf(serverUrl: string): string {
  return path.join(storeDir(), `${createHash('md5').update(serverUrl).digest('hex')}_tokens.json`);
}

async function start(serverUrl: string, callbackPort: number, user = alice, args: string[] = []): Promise<McpRemoteSession> {
  const session = await connectThroughMcpRemote({
    serverUrl,
    callbackPort,
    home,
    browserShim,
    visitsFile,
    user,
    args,
    screenshotsDir: artifacts,
    browserWsEndpoint: chromium.wsEndpoint(),
  });
  open.add(session);
  return session;
}

/** Close the client (which ends mcp-remote) and check that the process is really gone. */
async function stop(session: McpRemoteSession): Promise<void> {
  await session.close();
  open.delete(session);
  const until = Date.now() + 5_000;
  while (isRunning(session.pid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(isRunning(session.pid), `mcp-remote (pid ${session.pid}) still running after close`).toBe(false);
}

function text(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');
}

async function callTool(session: McpRemoteSession, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = await session.client.callTool({ name, arguments: args });
  expect((result as CallToolResult).isError ?? false, `${name} failed: ${text(result)}`).toBe(false);
  return text(result);
}

function expectOneSignIn(visits: BrowserVisit[], serverUrl: string, callbackPort: number): void {
  expect(visits).toHaveLength(1);
  const [visit] = visits;
  expect(visit!.outcome, visit!.detail).toBe('signed-in');
  const authorize = new URL(visit!.url);
  expect(authorize.origin + authorize.pathname).toBe(url('/authorize'));
  expect(authorize.searchParams.get('redirect_uri')).toBe(`http://localhost:${callbackPort}/oauth/callback`);
  // mcp-remote names the resource it wants tokens for (RFC 8707).
  expect(authorize.searchParams.get('resource')).toBeTruthy();
  expect(visit!.steps).toEqual(['consent', 'login', 'callback']);
  expect(new URL(visit!.finalUrl!).searchParams.get('code')).toBeTruthy();
  expect(serverUrl).toMatch(/\/(mcp|sse)$/);
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'mcp-remote-e2e-'));
  home = path.join(scratch, 'home');
  visitsFile = path.join(scratch, 'browser-visits.jsonl');
  browserShim = await writeBrowserShim(scratch);
  [testStack, chromium] = await Promise.all([startTestStack({ ports }), launchChromiumServer()]);
});

afterAll(async () => {
  await Promise.allSettled([...open].map((session) => session.close()));
  // A browser driver that is still running (a failed test) is ended; a finished one is long gone.
  for (const visit of await readBrowserVisits(visitsFile).catch(() => [])) {
    if (isRunning(visit.pid)) process.kill(visit.pid, 'SIGKILL');
  }
  await Promise.allSettled([testStack?.dispose(), chromium?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// A sign-in is a few seconds on a quiet machine; the bound is for a loaded one (mcp-remote itself waits 60 s).
describe.sequential('mcp-remote (the Claude Desktop bridge) against the local stack', { timeout: 120_000 }, () => {
  it('should sign in through the browser on first use of /mcp and relay whoami, add-todo and list-todos', async () => {
    const serverUrl = url(mcpServer.paths.mcp);
    const session = await start(serverUrl, callbackPorts.mcp);
    expectOneSignIn(await waitForBrowserVisits(visitsFile, 1), serverUrl, callbackPorts.mcp);
    expect(session.stderr()).toContain('Connected to remote server using StreamableHTTPClientTransport');

    const tools = (await session.client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['whoami', 'list-todos', 'add-todo']));
    expect(await callTool(session, 'whoami')).toContain(alice.email);
    // The first sign-in granted the baseline (read:todos). Writing steps up: mcp-remote meets 403 insufficient_scope,
    // opens the browser again for write:todos (consent + login), and the call then goes through.
    const title = `through mcp-remote on /mcp ${Date.now()}`;
    expect(await callTool(session, 'add-todo', { title })).toContain(title);
    const visits = await waitForBrowserVisits(visitsFile, 2);
    expect(visits).toHaveLength(2);
    expect(visits[1]!.outcome, visits[1]!.detail).toBe('signed-in');
    expect(new URL(visits[1]!.url).searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['read:todos', 'write:todos']));
    expect(await callTool(session, 'list-todos')).toContain(title);
    await stop(session);

    // The tokens are on disk where the README says (~/.mcp-auth), and they are the MCP server's own: no IdP JWT.
    expect(await readdir(storeDir())).toContain(path.basename(tokensFileOf(serverUrl)));
    const tokens = JSON.parse(await readFile(tokensFileOf(serverUrl), 'utf8')) as Record<string, unknown>;
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(JSON.stringify(tokens)).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it('should reuse the stored tokens on the next start of /mcp without opening the browser', async () => {
    const session = await start(url(mcpServer.paths.mcp), callbackPorts.mcp);
    expect(await readBrowserVisits(visitsFile)).toHaveLength(2);
    expect(await callTool(session, 'whoami')).toContain(alice.email);
    await stop(session);
  });

  it('should sign in and relay tool calls on /sse with the default strategy (http-first, as Claude Desktop)', async () => {
    const serverUrl = url(mcpServer.paths.sse);
    const session = await start(serverUrl, callbackPorts.sse);
    // A new URL is a new server to mcp-remote: its own registration, sign-in and tokens.
    expectOneSignIn((await waitForBrowserVisits(visitsFile, 3)).slice(2), serverUrl, callbackPorts.sse);
    expect(session.stderr()).toMatch(/Connected to remote server using (StreamableHTTPClientTransport|SSEClientTransport)/);
    expect(await callTool(session, 'whoami')).toContain(alice.email);
    expect(await callTool(session, 'list-todos')).toContain('through mcp-remote on /mcp');
    await stop(session);
  });

  it('should relay tool calls over legacy SSE with --transport sse-only, reusing the /sse tokens (no step-up there)', async () => {
    const session = await start(url(mcpServer.paths.sse), callbackPorts.sse, alice, ['--transport', 'sse-only']);
    expect(session.stderr()).toContain('Connected to remote server using SSEClientTransport');
    expect(await readBrowserVisits(visitsFile)).toHaveLength(3);
    // This grant holds read:todos only, and legacy SSE has no status to step up on: the tool says what is missing.
    const refused = await session.client.callTool({ name: 'add-todo', arguments: { title: 'over legacy SSE' } });
    expect((refused as CallToolResult).isError).toBe(true);
    expect(text(refused)).toContain('not granted write:todos');
    expect(await callTool(session, 'list-todos')).toContain('through mcp-remote on /mcp');
    expect(await readBrowserVisits(visitsFile)).toHaveLength(3);
    await stop(session);
  });

  it('should sign in again, as another user, once the stored tokens are deleted', async () => {
    const serverUrl = url(mcpServer.paths.mcp);
    await rm(tokensFileOf(serverUrl));
    const session = await start(serverUrl, callbackPorts.mcp, bob);
    const visits = await waitForBrowserVisits(visitsFile, 4);
    expect(visits).toHaveLength(4);
    expect(visits[3]!.outcome, visits[3]!.detail).toBe('signed-in');
    const whoami = await callTool(session, 'whoami');
    expect(whoami).toContain(bob.email);
    expect(whoami).not.toContain(alice.email);
    // Bob sees his own todos, not Alice's.
    expect(await callTool(session, 'list-todos')).not.toContain('through mcp-remote');
    await stop(session);
  });

  it('should leave no browser driver running once the sign-ins are done', async () => {
    const visits = await readBrowserVisits(visitsFile);
    expect(visits.length).toBeGreaterThan(0);
    const until = Date.now() + 5_000;
    while (visits.some((visit) => isRunning(visit.pid)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(visits.filter((visit) => isRunning(visit.pid)).map((visit) => visit.pid)).toEqual([]);
  });
});
