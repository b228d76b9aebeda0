// mcp-remote (what Claude Desktop runs) as a stdio MCP server for e2e tests, with a Chromium-driving $BROWSER.
import { readFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** What the browser driver (mcp-remote-browser.ts) did with one URL; one JSON line per visit in the visits file. */
export interface BrowserVisit {
  pid: number;
  /** When the driver process started (ISO time), to line it up with mcp-remote's log. */
  startedAt: string;
  /** The URL mcp-remote asked the browser to open (the MCP server's /authorize). */
  url: string;
  /** The pages passed through, in order: `consent`, `login`, then `callback`. */
  steps: string[];
  outcome: 'signed-in' | 'failed';
  /** Where the browser ended: mcp-remote's callback URL with the code, on success. */
  finalUrl?: string;
  /** The callback page's text on success; the reason on failure. */
  detail: string;
  /** Milliseconds since the driver started, at each step (and `chromium` once launched): where the time went. */
  timeline: Record<string, number>;
}

/** Environment variables that reach the browser driver through mcp-remote, `open` and xdg-open. */
export const browserEnv = {
  /** File the driver appends one BrowserVisit (JSON) per line to. */
  log: 'MCP_REMOTE_BROWSER_LOG',
  email: 'MCP_REMOTE_BROWSER_EMAIL',
  password: 'MCP_REMOTE_BROWSER_PASSWORD',
  /** Optional folder for screenshots of each page. */
  screenshots: 'MCP_REMOTE_BROWSER_SCREENSHOTS',
  /** Optional: a running Chromium's playwright endpoint (launchChromiumServer) to use instead of launching one. */
  wsEndpoint: 'MCP_REMOTE_BROWSER_WS_ENDPOINT',
} as const;

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** mcp-remote's `mcp-remote` executable, as `npx mcp-remote` would run it. */
function mcpRemoteBin(): string {
  const manifestPath = require.resolve('mcp-remote/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  const bin = manifest.bin['mcp-remote'];
  if (!bin) throw new Error(`${manifestPath} declares no mcp-remote bin`);
  return path.join(path.dirname(manifestPath), bin);
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Write an executable for $BROWSER into `dir` that runs the Chromium driver on the URL it is given. xdg-open runs
 * `$BROWSER <url>` after splitting $BROWSER on spaces and colons, so the path must have neither.
 */
export async function writeBrowserShim(dir: string): Promise<string> {
  const shim = path.join(dir, 'mcp-remote-browser');
  if (/[\s:]/.test(shim)) throw new Error(`$BROWSER cannot be a path with spaces or colons: ${shim}`);
  const tsx = require.resolve('tsx/cli');
  const driver = path.join(here, 'mcp-remote-browser.ts');
  await writeFile(shim, `#!/bin/sh\nexec ${[process.execPath, tsx, driver].map(shellQuote).join(' ')} "$1"\n`);
  await chmod(shim, 0o755);
  return shim;
}

/** Every visit the browser driver recorded so far. */
export async function readBrowserVisits(file: string): Promise<BrowserVisit[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as BrowserVisit);
}

/**
 * The visits recorded once there are `count` of them: the driver writes its record after closing Chromium, which is
 * a moment after mcp-remote got the callback and connected. Fails after `timeoutMs` with what was recorded.
 */
export async function waitForBrowserVisits(file: string, count: number, timeoutMs = 10_000): Promise<BrowserVisit[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const visits = await readBrowserVisits(file);
    if (visits.length >= count || Date.now() > until) return visits;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface McpRemoteOptions {
  /** The MCP server URL given to mcp-remote, e.g. `http://localhost:8788/mcp`. */
  serverUrl: string;
  /** Loopback port of mcp-remote's OAuth callback (its second positional argument). */
  callbackPort: number;
  /**
   * HOME for mcp-remote (and the browser): its token store is then `<home>/.mcp-auth`, the default location users
   * have, and nothing touches the real one. MCP_REMOTE_CONFIG_DIR is left unset for the same reason.
   */
  home: string;
  /** Executable for $BROWSER (see writeBrowserShim). */
  browserShim: string;
  /** Where the browser driver records its visits. */
  visitsFile: string;
  user: { email: string; password: string };
  /** More mcp-remote flags, e.g. `['--transport', 'sse-only']`. */
  args?: string[];
  screenshotsDir?: string;
  /** A shared Chromium (launchChromiumServer().wsEndpoint()) for the driver; without it each sign-in launches one. */
  browserWsEndpoint?: string;
}

export interface McpRemoteSession {
  client: Client;
  /** mcp-remote's process id, to check that it is gone after `close()`. */
  pid: number;
  /** Everything mcp-remote wrote to stderr (its log) so far. */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Start mcp-remote as Claude Desktop does (a child process speaking MCP on stdio) and connect the official MCP client
 * to it. Connecting returns once mcp-remote has reached the server, signing in through the browser driver if it has no
 * usable tokens.
 */
export async function connectThroughMcpRemote(options: McpRemoteOptions): Promise<McpRemoteSession> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: options.home,
    BROWSER: options.browserShim,
    [browserEnv.log]: options.visitsFile,
    [browserEnv.email]: options.user.email,
    [browserEnv.password]: options.user.password,
    ...(options.screenshotsDir ? { [browserEnv.screenshots]: options.screenshotsDir } : {}),
    ...(options.browserWsEndpoint ? { [browserEnv.wsEndpoint]: options.browserWsEndpoint } : {}),
  };
  const transport = new StdioClientTransport({
    command: process.execPath,
    // mcp-remote's 30 s default wait for the browser's callback is tight on a loaded 2-core machine.
    args: [mcpRemoteBin(), options.serverUrl, String(options.callbackPort), '--auth-timeout', '60', ...(options.args ?? [])],
    env,
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const client = new Client({ name: 'e2e-through-mcp-remote', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw new Error(`could not connect through mcp-remote: ${(error as Error).message}\nmcp-remote log:\n${log}`, { cause: error });
  }
  const pid = transport.pid;
  if (pid === null) throw new Error('mcp-remote has no process id');
  return {
    client,
    pid,
    stderr: () => log,
    close: () => client.close(),
  };
}

/** True while a process with this id exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
