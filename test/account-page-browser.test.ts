// The account page end to end in Chromium: an MCP client connects; the user signs in at /account, sees the connection
// with its permissions and last use, revokes it; the client's next request gets 401 and its refresh invalid_grant.
// Screenshots go to test-artifacts/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpServer } from '../system/system.js';
import { launchChromium } from './support/browser.js';
import { localUser } from './support/fault-tools.js';
import { connectMcp, DriverOAuthProvider } from './support/mcp-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files.
const ports = { mcp: 30888, api: 30889, idp: 30890 };
const artifacts = path.resolve('test-artifacts');

let testStack: TestStack;
let browser: Browser;
let provider: DriverOAuthProvider;
let client: Client;
let page: Page;

const alice = () => localUser(testStack.stack, 'alice');

const accountUrl = () => new URL(mcpServer.accountPath, testStack.stack.urls.mcp).href;
const isIdp = (url: URL) => url.origin === new URL(testStack.stack.urls.issuer).origin;

/** Sign in at the local IdP's login form, as the user would, and wait to be back on the account page. */
async function signInAtIdp(): Promise<void> {
  await page.fill('#email', alice().username);
  await page.fill('#password', alice().password);
  await Promise.all([page.waitForURL((url) => url.href === accountUrl()), page.click('button[type=submit]')]);
}

beforeAll(async () => {
  testStack = await startTestStack({ ports });
  browser = await launchChromium();
  page = await browser.newPage();
  await mkdir(artifacts, { recursive: true });
  // An MCP client (the official SDK client) connects as alice and calls two tools.
  provider = new DriverOAuthProvider(alice());
  client = await connectMcp('streamable-http', testStack.stack.urls.mcp, provider);
  await client.callTool({ name: 'whoami', arguments: {} });
  await client.callTool({ name: 'list-todos', arguments: {} });
});

afterAll(async () => {
  await client?.close();
  await browser?.close();
  await testStack?.dispose();
});

describe('the account page in Chromium', () => {
  it('should sign in through the IdP and show the connected client with its permissions, last use and activity', async () => {
    await Promise.all([page.waitForURL(isIdp), page.goto(accountUrl())]);
    await signInAtIdp();
    const csp = (await page.request.get(accountUrl())).headers()['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    const row = page.locator('table.apps tbody tr');
    expect(await row.count()).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('e2e MCP client');
    expect(text).toContain('127.0.0.1:53682');
    expect(text).toContain('Read your todos');
    expect(text).toContain('Create, update and delete your todos');
    // Last used: the tool calls above (a time, not "Never").
    expect(await row.locator('td').nth(3).locator('time').count()).toBe(1);
    const activity = (await page.locator('table.activity').textContent()) ?? '';
    expect(activity).toContain('whoami');
    expect(activity).toContain('list-todos');
    expect(await page.locator('script').count()).toBe(0);
    await page.screenshot({ path: path.join(artifacts, 'account-page.png'), fullPage: true });
  });

  it("should revoke the connection: the client's next request gets 401 and its refresh invalid_grant", async () => {
    const tokens = provider.tokens();
    expect(tokens?.refresh_token).toBeTruthy();
    await Promise.all([page.waitForURL((url) => url.searchParams.get('done') === 'revoked'), page.click('table.apps button.danger')]);
    expect(await page.locator('.notice').textContent()).toContain('The app was disconnected');
    expect(await page.locator('table.apps').count()).toBe(0);
    await page.screenshot({ path: path.join(artifacts, 'account-revoked.png'), fullPage: true });

    const mcp = await fetch(new URL(mcpServer.paths.mcp, testStack.stack.urls.mcp), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${tokens!.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    expect(mcp.status).toBe(401);
    const clientId = provider.clientInformation()!.client_id;
    const refresh = await fetch(new URL('/oauth/token', testStack.stack.urls.mcp), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens!.refresh_token!, client_id: clientId }),
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('should sign out here and at the IdP, so the next visit asks for the password again', async () => {
    await Promise.all([page.waitForURL(isIdp), page.click('button[value=idp]')]);
    // The local IdP asks to confirm (as Auth0's OIDC logout may); then it returns to the signed-out page.
    await Promise.all([page.waitForURL((url) => url.pathname === '/account/signed-out'), page.click('button[name=logout]')]);
    expect(await page.locator('h1').textContent()).toBe('You are signed out');
    await page.screenshot({ path: path.join(artifacts, 'account-signed-out.png'), fullPage: true });
    await Promise.all([page.waitForURL(isIdp), page.goto(accountUrl())]);
    expect(await page.locator('#password').count()).toBe(1);
  });

  it("should run the audit log's retention purge from the Worker's cron handler", async () => {
    await expect(testStack.stack.runScheduled(mcpServer.workerName, mcpServer.auditDatabase.purgeCron)).resolves.toBeUndefined();
  });
});
