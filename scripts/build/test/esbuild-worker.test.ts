// Tests for esbuildWorker: the local stack's wrangler-free build must give the very bytes `wrangler deploy` builds.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerBundleError } from '../bundle-worker.js';
import { esbuildWorker } from '../esbuild-worker.js';
import { wranglerOfflineEnv } from '../wrangler-offline-env.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// Every Worker of the repository: mcp-server (nodejs_compat, unenv polyfills) and todos-api (no Node.js compat).
const workers = ['mcp-server', 'todos-api'];

let scratch: string;

beforeAll(async () => {
  await mkdir(path.join(repoRoot, '.bundles'), { recursive: true });
  scratch = await mkdtemp(path.join(repoRoot, '.bundles', 'esbuild-test-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** What the real wrangler builds: `wrangler deploy --dry-run --outdir`, run the way a developer would. */
async function wranglerBuild(workerDir: string, outDir: string): Promise<void> {
  await promisify(execFile)(
    path.join(repoRoot, 'node_modules', '.bin', 'node'),
    [path.join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', outDir],
    { cwd: workerDir, env: { ...process.env, ...wranglerOfflineEnv } },
  );
}

/** Where two texts first differ, as both sides' next 200 characters; undefined when they are equal. */
function firstDifference(ours: string, theirs: string): { offset: number; ours: string; theirs: string } | undefined {
  if (ours === theirs) return undefined;
  let offset = 0;
  while (offset < ours.length && ours[offset] === theirs[offset]) offset++;
  return { offset, ours: ours.slice(offset, offset + 200), theirs: theirs.slice(offset, offset + 200) };
}

describe('esbuildWorker', () => {
  it.each(workers)('should build the same main module as `wrangler deploy --dry-run` for %s', async (name) => {
    const workerDir = path.join(repoRoot, 'workers', name);
    const theirs = path.join(scratch, `wrangler-${name}`);
    const [ours] = await Promise.all([
      esbuildWorker({ workerDir, outDir: path.join(scratch, `esbuild-${name}`) }),
      wranglerBuild(workerDir, theirs),
    ]);
    expect(ours.mainModule).toBe('index.js');
    expect(ours.files).toEqual(['index.js']);
    // Byte for byte: a difference here means esbuild-worker.ts no longer mirrors wrangler's deploy build.
    const [mine, wranglers] = await Promise.all([readFile(ours.mainPath, 'utf8'), readFile(path.join(theirs, 'index.js'), 'utf8')]);
    // Compared as the first difference with some context: a 1.7 MB diff would bury it.
    expect(firstDifference(mine, wranglers)).toBeUndefined();
  });

  it("should fail with esbuild's error message when the source does not compile", async () => {
    const broken = path.join(scratch, 'workers', 'broken');
    await mkdir(path.join(broken, 'src'), { recursive: true });
    await writeFile(
      path.join(broken, 'wrangler.jsonc'),
      '{ "name": "broken", "main": "src/index.ts", "compatibility_date": "2026-11-01" }\n',
    );
    await writeFile(path.join(broken, 'src', 'index.ts'), 'export default {{ oops\n');
    const failure = esbuildWorker({ workerDir: broken, outDir: path.join(scratch, 'out-broken') });
    await expect(failure).rejects.toBeInstanceOf(WorkerBundleError);
    await expect(failure).rejects.toThrow(/src\/index\.ts/);
  });

  it('should refuse a config that sets a build option it does not mirror, rather than build something else', async () => {
    const aliased = path.join(scratch, 'workers', 'aliased');
    await mkdir(path.join(aliased, 'src'), { recursive: true });
    await writeFile(
      path.join(aliased, 'wrangler.jsonc'),
      '{ "name": "aliased", "main": "src/index.ts", "compatibility_date": "2026-11-01", "minify": true }\n',
    );
    await writeFile(path.join(aliased, 'src', 'index.ts'), 'export default { fetch: () => new Response("ok") };\n');
    await expect(esbuildWorker({ workerDir: aliased, outDir: path.join(scratch, 'out-aliased') })).rejects.toThrow(
      /sets minify: esbuildWorker does not mirror that/,
    );
  });

  it("should refuse an import that wrangler's module rules would upload as a separate module", async () => {
    const withText = path.join(scratch, 'workers', 'with-text');
    await mkdir(path.join(withText, 'src'), { recursive: true });
    await writeFile(
      path.join(withText, 'wrangler.jsonc'),
      '{ "name": "with-text", "main": "src/index.ts", "compatibility_date": "2026-11-01" }\n',
    );
    await writeFile(path.join(withText, 'src', 'page.html'), '<p>hi</p>\n');
    await writeFile(
      path.join(withText, 'src', 'index.ts'),
      "import page from './page.html';\nexport default { fetch: () => new Response(page) };\n",
    );
    await expect(esbuildWorker({ workerDir: withText, outDir: path.join(scratch, 'out-with-text') })).rejects.toThrow(
      /page\.html would be an extra module/,
    );
  });
});
