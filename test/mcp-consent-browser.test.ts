// The MCP server's consent page and the IdP login in a real Chromium: Allow lands on the client with a code; Deny
// returns access_denied. Screenshots go to test-artifacts/.
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTodosPermissions, localUrl } from '../system/system.js';
import { launchChromium, startLandingServer } from './support/browser.js';
import { pkcePair } from './support/browserless-mcp-login.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

const ports = { mcp: 28798, api: 28799, idp: 28800 };
const CALLBACK_PORT = 28801;
const artifacts = path.resolve('test-artifacts');
/** The MCP client's redirect URI: a tiny local server standing in for Claude Desktop / mcp-remote. */
const clientRedirect = `${localUrl(CALLBACK_PORT)}/oauth/callback`;

let testStack: TestStack;
let browser: Browser;
let callbackServer: Server;

async function registerClient(name: string): Promise<string> {
  const response = await fetch(new URL('/oauth/register', testStack.stack.urls.mcp), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: name, redirect_uris: [clientRedirect], token_endpoint_auth_method: 'none' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { client_id: string }).client_id;
}

function authorizeUrl(clientId: string, state: string, scope = 'read:todos write:todos', challenge = pkcePair().challenge): string {
  const url = new URL('/authorize', testStack.stack.urls.mcp);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: clientRedirect,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    scope,
  }).toString();
  return url.href;
}

/** The MCP client's code exchange: what the grant the user approved holds. */
async function exchange(clientId: string, code: string, verifier: string): Promise<{ scope: string }> {
  const response = await fetch(new URL('/oauth/token', testStack.stack.urls.mcp), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: clientRedirect,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { scope: string };
}

beforeAll(async () => {
  callbackServer = await startLandingServer(CALLBACK_PORT, 'MCP client callback reached');
  // A deployment whose users may grant billing too (userPermissions), so its opt-in checkbox is on the page.
  testStack = await startTestStack({ ports, userPermissions: allTodosPermissions });
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await testStack?.dispose();
  callbackServer?.closeAllConnections();
  await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
});

describe('consent and login in Chromium', () => {
  it('should show the consent page, then the IdP login, and land on the client with a code', async () => {
    const clientId = await registerClient('Browser <b>Test</b> Client');
    const page = await browser.newPage();
    const consent = await page.goto(authorizeUrl(clientId, 'allow-state'));
    expect(consent?.status()).toBe(200);
    expect(consent?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    // The client's name is shown as text, never as markup.
    expect(await page.locator('h1').textContent()).toContain('Browser <b>Test</b> Client');
    expect(await page.locator('h1 b').count()).toBe(0);
    expect(await page.textContent('main')).toContain('localhost');
    expect(await page.textContent('main')).toContain('Read your todos');
    // Inline styles are allowed by our CSP: the Allow button is styled.
    expect(await page.locator('button.primary').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(37, 99, 235)');
    await page.screenshot({ path: path.join(artifacts, 'mcp-consent.png'), fullPage: true });

    await Promise.all([
      page.waitForURL((url) => url.origin === new URL(testStack.stack.urls.issuer).origin),
      page.click('button[value=approve]'),
    ]);
    await page.screenshot({ path: path.join(artifacts, 'mcp-idp-login.png'), fullPage: true });
    const alice = testStack.stack.idp.users[0]!;
    await page.fill('#email', alice.email);
    await page.fill('#password', alice.password);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(clientRedirect)), page.click('button[type=submit]')]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(landed.searchParams.get('state')).toBe('allow-state');
    expect(landed.searchParams.get('iss')).toBe(testStack.stack.urls.mcp);
    expect(await page.textContent('body')).toContain('MCP client callback reached');
    await page.close();
  });

  it('should let the user choose permissions: baseline fixed, billing opt-in, the grant holds what was ticked', async () => {
    const clientId = await registerClient('Permissions Test Client');
    const { verifier, challenge } = pkcePair();
    const page = await browser.newPage();
    await page.goto(authorizeUrl(clientId, 'permissions-state', 'read:todos write:todos read:billing', challenge));
    const write = page.locator('input[name=scope][value="write:todos"]');
    const billing = page.locator('input[name=scope][value="read:billing"]');
    // The baseline is not a box the user can clear; write:todos starts ticked, read:billing does not.
    expect(await page.locator('input[name=scope][value="read:todos"]').count()).toBe(0);
    expect(await page.textContent('ul.scopes')).toContain('Read your todos');
    expect(await write.isChecked()).toBe(true);
    expect(await billing.isChecked()).toBe(false);
    await write.uncheck();
    await billing.check();
    await page.screenshot({ path: path.join(artifacts, 'mcp-consent-permissions.png'), fullPage: true });
    const [idpAuthorize] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(new URL('authorize', testStack.stack.urls.issuer).href)),
      page.waitForURL((url) => url.origin === new URL(testStack.stack.urls.issuer).origin),
      page.click('button[value=approve]'),
    ]);
    // The IdP login asks for exactly what was ticked.
    const idpScope = new URL(idpAuthorize.url()).searchParams.get('scope') ?? '';
    expect(idpScope.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile', 'read:billing', 'read:todos']);
    const alice = testStack.stack.idp.users[0]!;
    await page.fill('#email', alice.email);
    await page.fill('#password', alice.password);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(clientRedirect)), page.click('button[type=submit]')]);
    const code = new URL(page.url()).searchParams.get('code')!;
    expect((await exchange(clientId, code, verifier)).scope).toBe('read:todos read:billing');
    await page.close();
  });

  it('should return access_denied to the client when the user clicks Deny', async () => {
    const clientId = await registerClient('Deny Test Client');
    const page = await browser.newPage();
    await page.goto(authorizeUrl(clientId, 'deny-state'));
    await Promise.all([page.waitForURL((url) => url.href.startsWith(clientRedirect)), page.click('button[value=deny]')]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe('deny-state');
    expect(landed.searchParams.get('code')).toBeNull();
    await page.screenshot({ path: path.join(artifacts, 'mcp-consent-denied.png') });
    await page.close();
  });

  it('should show an error page, not a redirect, for an unregistered redirect URI', async () => {
    const clientId = await registerClient('Redirect Test Client');
    const page = await browser.newPage();
    const url = new URL(authorizeUrl(clientId, 'x'));
    url.searchParams.set('redirect_uri', 'http://localhost:9/evil');
    const response = await page.goto(url.href);
    expect(response?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(testStack.stack.urls.mcp);
    await page.screenshot({ path: path.join(artifacts, 'mcp-authorize-error.png') });
    await page.close();
  });
});
