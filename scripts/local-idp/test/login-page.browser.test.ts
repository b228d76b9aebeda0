// The login page in a real Chromium: authorize URL → form → redirect with a code to a local callback server.
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localUrl, mcpCallbackUrl, mcpServer, todosApi } from '../../../system/system.js';
import { launchChromium, startLandingServer } from '../../../test/support/browser.js';
import { pkcePair } from '../../../test/support/browserless-mcp-login.js';
import { authorizeUrl } from './support/browserless-idp-session.js';
import { startTestIdp, type TestIdp } from './support/test-idp.js';

const IDP_PORT = 18795;
const CALLBACK_PORT = 18796;
const SCREENSHOT = path.resolve('test-artifacts/local-idp-login.png');

let test: TestIdp;
let browser: Browser;
let callbackServer: Server;

beforeAll(async () => {
  // Stands in for the MCP server's /callback: the browser must land here with a code.
  callbackServer = await startLandingServer(CALLBACK_PORT, 'callback reached');
  test = await startTestIdp(IDP_PORT, { mcpServerUrl: localUrl(CALLBACK_PORT) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await test?.dispose();
  callbackServer?.closeAllConnections();
  await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
});

describe('login page in Chromium', () => {
  it('should log a user in and land on the callback with a code; a wrong password shows the form again', async () => {
    const { idp } = test;
    const redirectUri = mcpCallbackUrl(localUrl(CALLBACK_PORT));
    const page = await browser.newPage();
    await page.goto(
      authorizeUrl(idp.issuer, {
        clientId: idp.mcpApp.clientId,
        redirectUri,
        scope: mcpServer.scope,
        audience: todosApi.identifier,
        codeChallenge: pkcePair().challenge,
        codeChallengeMethod: 'S256',
        state: 'browser-state',
        nonce: 'browser-nonce',
      }).toString(),
    );
    expect(await page.locator('h1').textContent()).toBe('Log in');
    expect(await page.textContent('main')).toContain(mcpServer.appName);
    // The page's CSP admits its stylesheet by hash: a wrong hash would leave the button unstyled.
    expect(await page.locator('button').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(79, 70, 229)');
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const alice = idp.users[0]!;
    await page.fill('#email', alice.email);
    await page.fill('#password', 'not-her-password');
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
    expect(await page.locator('[role=alert]').textContent()).toBe('Wrong email or password.');
    expect(new URL(page.url()).origin).toBe(new URL(idp.issuer).origin);

    await page.fill('#password', alice.password);
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(redirectUri)), page.click('button[type=submit]')]);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(landed.searchParams.get('state')).toBe('browser-state');
    expect(await page.textContent('body')).toContain('callback reached');
    await page.close();
  });
});
