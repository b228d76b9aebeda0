// Generates (or, with --check, verifies) what is derived from each Worker's wrangler.jsonc: its `Env` type and wrangler's
// description for the local stack (local-worker.generated.json): `npm run types` / `types:check`.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverWorkers } from '../local-stack/discover-workers.js';
import { describeWorkers } from '../local-stack/prepare-worker.js';
import { DESCRIPTION_FILE, descriptionKey, writeDescription } from '../local-stack/worker-description.js';
import { runWrangler, WranglerError } from './run-wrangler.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The Workers whose `worker-configuration.d.ts` and local description are committed: every Worker the local stack and
 * the bench find (discoverWorkers), relative to the repository root (wrangler's cwd here), as the files record them.
 */
const WORKER_DIRS = (await discoverWorkers(path.join(repoRoot, 'workers'))).map((w) => path.relative(repoRoot, w.workerDir));

async function workerTypes(check: boolean): Promise<void> {
  for (const dir of WORKER_DIRS) {
    // Relative to the repository root (wrangler's cwd here): wrangler writes the command into the file's header.
    const workerDir = dir;
    await runWrangler(
      repoRoot,
      [
        'types',
        `--config=${path.join(workerDir, 'wrangler.jsonc')}`,
        // Runtime types come from @cloudflare/workers-types; vars are typed as strings so local values may differ.
        '--include-runtime=false',
        '--strict-vars=false',
        ...(check ? ['--check'] : []),
        path.join(workerDir, 'worker-configuration.d.ts'),
      ],
      repoRoot,
    );
    console.log(`${check ? 'up to date' : 'written'}: ${dir}/worker-configuration.d.ts`);
  }
  await workerDescriptions(check);
}

/** One wrangler process describes every Worker, from the repository root so the files hold no absolute path. */
async function workerDescriptions(check: boolean): Promise<void> {
  const descriptions = await describeWorkers(repoRoot, WORKER_DIRS, os.tmpdir());
  const stale: string[] = [];
  for (const [i, dir] of WORKER_DIRS.entries()) {
    const key = await descriptionKey(repoRoot, path.join(repoRoot, dir));
    const description = descriptions[i];
    if (!description) throw new Error(`wrangler did not describe ${dir}`);
    const current = await writeDescription(path.join(repoRoot, dir), description, key, check);
    if (!current) stale.push(`${dir}/${DESCRIPTION_FILE}`);
    else console.log(`${check ? 'up to date' : 'written'}: ${dir}/${DESCRIPTION_FILE}`);
  }
  if (stale.length > 0) throw new WranglerError(`out of date: ${stale.join(', ')}`);
}

try {
  await workerTypes(process.argv.includes('--check'));
} catch (error) {
  if (!(error instanceof WranglerError)) throw error;
  console.error(`${error.message}\nRun \`npm run types\` to regenerate the Worker Env types and local descriptions from wrangler.jsonc.`);
  process.exitCode = 1;
}
