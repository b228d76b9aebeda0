// Runs the repository's pinned wrangler, offline and on Node 22, for the build tooling (bundles, generated Env types).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { wranglerOfflineEnv } from './wrangler-offline-env.js';

/** wrangler failed or is not installed; `message` carries wrangler's own error output (stderr only). */
export class WranglerError extends Error {
  override readonly name = 'WranglerError';
}

// Plain output for logs and error messages: no colours.
const PLAIN_OUTPUT = { FORCE_COLOR: '0', NO_COLOR: '1' };

/** The folder whose node_modules holds the pinned wrangler: searched upwards from each start folder. */
export function findToolRoot(startDirs: readonly string[]): string {
  for (const start of startDirs) {
    let dir = path.resolve(start);
    for (;;) {
      if (existsSync(path.join(dir, 'node_modules', 'wrangler', 'package.json'))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new WranglerError(`wrangler is not installed (no node_modules/wrangler above ${startDirs.join(' or ')}): run npm ci`);
}

/** The Node that runs wrangler: it needs Node >= 22, so the repo pins a Node 22 as a devDependency for older hosts. */
function wranglerNode(toolRoot: string): string {
  const pinnedNode = path.join(toolRoot, 'node_modules', '.bin', 'node');
  return existsSync(pinnedNode) ? pinnedNode : process.execPath;
}

/** Run the pinned wrangler offline in `cwd`; resolves with its stdout, rejects with its stderr as the message. */
export function runWrangler(toolRoot: string, args: string[], cwd: string): Promise<string> {
  // wrangler's bin (bin/wrangler.js) only checks the Node version and re-spawns this file with --no-warnings; running
  // it directly is the same wrangler, one Node start-up fewer.
  return runWithWrangler(toolRoot, path.join(toolRoot, 'node_modules', 'wrangler', 'wrangler-dist', 'cli.js'), args, cwd);
}

/**
 * Run a Node script that loads the pinned wrangler as a library (e.g. the local stack's describe-workers.cjs) the way
 * runWrangler runs wrangler itself: on wrangler's Node, offline, without colours; rejects with its stderr.
 */
export function runWithWrangler(toolRoot: string, script: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      wranglerNode(toolRoot),
      ['--no-warnings', script, ...args],
      {
        cwd,
        env: { ...process.env, ...wranglerOfflineEnv, ...PLAIN_OUTPUT },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(String(stdout));
        // Only stderr: stdout lists the Worker's vars with their values.
        const detail = stripAnsi(String(stderr)).trim() || error.message;
        reject(new WranglerError(detail, { cause: error }));
      },
    );
  });
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with the ESC control character.
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
