import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverWorkers } from '../../local-stack/discover-workers.js';
import { WorkerBundleError } from '../bundle-worker.js';
import { esbuildWorker } from '../esbuild-worker.js';
import { repoRoot, wranglerDryRun, writeScratchWorker } from './support/build-fixtures.js';

// Every Worker of the repository, as the local stack finds them: today mcp-server (nodejs_compat, unenv polyfills) and
// todos-api (no Node.js compat).
const workers = (await discoverWorkers(path.join(repoRoot, 'workers'))).map((w) => path.basename(w.workerDir));

let scratch: string;

beforeAll(async () => {
  await mkdir(path.join(repoRoot, '.bundles'), { recursive: true });
  scratch = await mkdtemp(path.join(repoRoot, '.bundles', 'esbuild-test-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

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
      wranglerDryRun(workerDir, theirs),
    ]);
    expect(ours.mainModule).toBe('index.js');
    expect(ours.files).toEqual(['index.js']);
    // Byte for byte: a difference here means esbuild-worker.ts no longer mirrors wrangler's deploy build.
    const [mine, wranglers] = await Promise.all([readFile(ours.mainPath, 'utf8'), readFile(path.join(theirs, 'index.js'), 'utf8')]);
    // Compared as the first difference with some context: a 1.7 MB diff would bury it.
    expect(firstDifference(mine, wranglers)).toBeUndefined();
  });

  it("should fail with esbuild's error message when the source does not compile", async () => {
    const broken = await writeScratchWorker(path.join(scratch, 'workers'), 'broken', { 'index.ts': 'export default {{ oops\n' });
    const failure = esbuildWorker({ workerDir: broken, outDir: path.join(scratch, 'out-broken') });
    await expect(failure).rejects.toBeInstanceOf(WorkerBundleError);
    await expect(failure).rejects.toThrow(/src\/index\.ts/);
  });

  it('should refuse a config that sets a build option it does not mirror, rather than build something else', async () => {
    const aliased = await writeScratchWorker(
      path.join(scratch, 'workers'),
      'aliased',
      { 'index.ts': 'export default { fetch: () => new Response("ok") };\n' },
      { minify: true },
    );
    await expect(esbuildWorker({ workerDir: aliased, outDir: path.join(scratch, 'out-aliased') })).rejects.toThrow(
      /sets minify: esbuildWorker does not mirror that/,
    );
  });

  it("should refuse an import that wrangler's module rules would upload as a separate module", async () => {
    const withText = await writeScratchWorker(path.join(scratch, 'workers'), 'with-text', {
      'page.html': '<p>hi</p>\n',
      'index.ts': "import page from './page.html';\nexport default { fetch: () => new Response(page) };\n",
    });
    await expect(esbuildWorker({ workerDir: withText, outDir: path.join(scratch, 'out-with-text') })).rejects.toThrow(
      /page\.html would be an extra module/,
    );
  });
});
