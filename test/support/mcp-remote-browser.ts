// The "browser" mcp-remote opens (through `open` → xdg-open → $BROWSER): drives Chromium through consent and login.
//
// Run as `tsx mcp-remote-browser.ts <authorize-url>` by the shim that `writeBrowserShim` writes. It is started detached
// by xdg-open, so it reports to a JSON-lines file instead of a terminal, and ends itself within a deadline. Each run is
// a fresh browser profile (no cookies): in the test's shared Chromium when given its endpoint, else its own Chromium.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { type BrowserVisit, browserEnv } from './mcp-remote-session.js';

// Bounded, and shorter than the wait connectThroughMcpRemote gives mcp-remote (--auth-timeout), so the test sees why.
const DEADLINE_MS = 50_000;

async function drive(browser: Browser, authorizeUrl: URL, visit: BrowserVisit): Promise<void> {
  // The client's own redirect URI (mcp-remote's loopback callback): the flow is done when the browser lands there.
  const redirectUri = authorizeUrl.searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error('the authorize URL has no redirect_uri');
  const email = process.env[browserEnv.email];
  const password = process.env[browserEnv.password];
  if (!email || !password) throw new Error(`${browserEnv.email} and ${browserEnv.password} must be set`);
  const screenshots = process.env[browserEnv.screenshots];
  if (screenshots) await mkdir(screenshots, { recursive: true });
  const snap = async (page: Page, name: string) => {
    if (screenshots) await page.screenshot({ path: path.join(screenshots, `mcp-remote-${name}.png`), fullPage: true });
  };

  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(authorizeUrl.href);
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    if (page.url().startsWith(redirectUri)) {
      await page.waitForLoadState('load');
      visit.steps.push('callback');
      visit.timeline.callback = Math.round(performance.now());
      visit.finalUrl = page.url();
      visit.detail = ((await page.textContent('body')) ?? '').trim();
      await snap(page, 'callback');
      return;
    }
    const approve = page.locator('button[name=decision][value=approve]');
    const passwordField = page.locator('#password');
    if (await approve.isVisible()) {
      visit.steps.push('consent');
      visit.timeline.consent = Math.round(performance.now());
      await snap(page, 'consent');
      const before = page.url();
      await Promise.all([page.waitForURL((url) => url.href !== before), approve.click()]);
    } else if (await passwordField.isVisible()) {
      visit.steps.push('login');
      visit.timeline.login = Math.round(performance.now());
      await page.fill('#email', email);
      await passwordField.fill(password);
      await snap(page, 'login');
      const before = page.url();
      await Promise.all([page.waitForURL((url) => url.href !== before), page.click('button[type=submit]')]);
    } else {
      await page.waitForTimeout(100); // a redirect or a page still loading
    }
  }
  await snap(page, 'stuck');
  throw new Error(
    `no callback within ${DEADLINE_MS} ms; stuck at ${page.url()}: ${((await page.textContent('body')) ?? '').trim().slice(0, 300)}`,
  );
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? '';
  const logFile = process.env[browserEnv.log];
  const visit: BrowserVisit = {
    pid: process.pid,
    startedAt: new Date(Date.now() - performance.now()).toISOString(),
    url,
    steps: [],
    outcome: 'failed',
    detail: '',
    timeline: {},
  };
  visit.timeline.imported = Math.round(performance.now());
  // Never outlive the test: whatever hangs, this process ends.
  const killTimer = setTimeout(() => process.exit(2), DEADLINE_MS + 10_000);
  let browser: Browser | undefined;
  try {
    const shared = process.env[browserEnv.wsEndpoint];
    // Closing a connected browser only disconnects this client (and its contexts); the shared Chromium stays up.
    browser = shared ? await chromium.connect(shared) : await launchChromium();
    visit.timeline.chromium = Math.round(performance.now());
    await drive(browser, new URL(url), visit);
    visit.outcome = 'signed-in';
  } catch (error) {
    visit.detail = error instanceof Error ? error.message : String(error);
  } finally {
    await browser?.close().catch(() => undefined);
    visit.timeline.done = Math.round(performance.now());
    if (logFile) await appendFile(logFile, `${JSON.stringify(visit)}\n`);
    clearTimeout(killTimer);
  }
  process.exitCode = visit.outcome === 'signed-in' ? 0 : 1;
}

await main();
