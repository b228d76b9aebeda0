// Generates (or, with --check, verifies) each Worker's `Env` type from its wrangler.jsonc: `npm run types` / `types:check`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWrangler, WranglerError } from './run-wrangler.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The Workers whose `worker-configuration.d.ts` is committed; each is generated from its own wrangler.jsonc. */
const WORKER_DIRS = ['workers/todos-api', 'workers/mcp-server'];

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
}

try {
  await workerTypes(process.argv.includes('--check'));
} catch (error) {
  if (!(error instanceof WranglerError)) throw error;
  console.error(`${error.message}\nRun \`npm run types\` to regenerate the Worker Env types from wrangler.jsonc.`);
  process.exitCode = 1;
}
