// What the build tests share: the real `wrangler deploy --dry-run` to compare with, and throwaway Worker folders.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { wranglerOfflineEnv } from '../../wrangler-offline-env.js';

export const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/** What the real wrangler builds: `wrangler deploy --dry-run --outdir`, run from its bin the way a developer would. */
export async function wranglerDryRun(workerDir: string, outDir: string): Promise<void> {
  await promisify(execFile)(
    path.join(repoRoot, 'node_modules', '.bin', 'node'),
    [
      path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
      'deploy',
      '--dry-run',
      '--outdir',
      outDir,
      '--config',
      path.join(workerDir, 'wrangler.jsonc'),
    ],
    { cwd: workerDir, env: { ...process.env, ...wranglerOfflineEnv } },
  );
}

/**
 * A Worker folder `<parent>/<name>` with a wrangler.jsonc (name, `src/index.ts` as main, a compatibility date, and
 * `config` on top) and the given files under `src/`. Returns the folder.
 */
export async function writeScratchWorker(
  parent: string,
  name: string,
  src: Record<string, string>,
  config: Record<string, unknown> = {},
): Promise<string> {
  const dir = path.join(parent, name);
  await mkdir(path.join(dir, 'src'), { recursive: true });
  const wranglerConfig = { name, main: 'src/index.ts', compatibility_date: '2026-11-01', ...config };
  await writeFile(path.join(dir, 'wrangler.jsonc'), `${JSON.stringify(wranglerConfig)}\n`);
  for (const [file, contents] of Object.entries(src)) await writeFile(path.join(dir, 'src', file), contents);
  return dir;
}
