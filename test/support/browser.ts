// Real-browser test plumbing: Debian's Chromium through playwright-core, and a loopback page standing in for a redirect target.
import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type Browser, type BrowserServer, chromium } from 'playwright-core';

/** Debian's Chromium: tests never download a browser of their own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags this machine needs: no sandbox as root, and no background calls to the closed network. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

async function checkChromium(): Promise<void> {
  try {
    await access(CHROMIUM_PATH);
  } catch {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (CI does).`);
  }
}

/** Launches headless Chromium, or fails with the command that installs it. */
export async function launchChromium(): Promise<Browser> {
  await checkChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * Launches headless Chromium that other processes drive through `chromium.connect(server.wsEndpoint())`: one
 * launch shared by several short-lived drivers, each in a fresh context (no cookies carried over).
 */
export async function launchChromiumServer(): Promise<BrowserServer> {
  await checkChromium();
  return chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A plain-text page on localhost:`port`: where a browser must land after a redirect. */
export async function startLandingServer(port: number, text: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(text);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, 'localhost', resolve);
  });
  return server;
}
