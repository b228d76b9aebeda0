import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, WorkerBundleError } from '../bundle-worker.js';
import { repoRoot, wranglerDryRun, writeScratchWorker } from './support/build-fixtures.js';

const todosApiDir = path.join(repoRoot, 'workers', 'todos-api');

// Copies live inside the repo so the Worker resolves its npm imports and ../../system like the original.
let scratch: string;
let copyDir: string;

beforeAll(async () => {
  await mkdir(path.join(repoRoot, '.bundles'), { recursive: true });
  scratch = await mkdtemp(path.join(repoRoot, '.bundles', 'bundle-test-'));
  copyDir = path.join(scratch, 'workers', 'todos-api');
  await cp(todosApiDir, copyDir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.wrangler)$/.test(src) });
  await cp(path.join(repoRoot, 'system'), path.join(scratch, 'system'), { recursive: true });
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('bundleWorker', () => {
  it('should produce the same main module as a separate `wrangler deploy --dry-run`', async () => {
    const bundle = await bundleWorker({ workerDir: todosApiDir, outDir: path.join(scratch, 'out-ours') });
    const theirs = path.join(scratch, 'out-wrangler');
    await wranglerDryRun(todosApiDir, theirs);

    expect(bundle.mainModule).toBe('index.js');
    expect(bundle.mainPath).toBe(path.join(bundle.outDir, 'index.js'));
    expect(bundle.files).toContain('index.js');
    expect(bundle.files.some((f) => f.endsWith('.map') || f === 'README.md')).toBe(false);
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(bundle.sizeBytes).toBeGreaterThan(0);
    expect(await readFile(bundle.mainPath)).toEqual(await readFile(path.join(theirs, 'index.js')));
  });

  it('should keep the hash of an unchanged tree, wherever it is written, and change it when the source changes', async () => {
    const first = await bundleWorker({ workerDir: copyDir, outDir: path.join(scratch, 'out-copy') });
    const again = await bundleWorker({ workerDir: copyDir, outDir: path.join(scratch, 'elsewhere', 'out-copy') });
    expect(again.sha256).toBe(first.sha256);

    // A reachable change: a new module imported for its side effect ends up in the bundle.
    await writeFile(path.join(copyDir, 'src', 'bundle-test-marker.ts'), "console.log('bundle-test-marker');\n");
    await appendFile(path.join(copyDir, 'src', 'index.ts'), "\nimport './bundle-test-marker';\n");
    const changed = await bundleWorker({ workerDir: copyDir, outDir: path.join(scratch, 'out-copy') });
    expect(changed.sha256).not.toBe(first.sha256);
    expect(await readFile(changed.mainPath, 'utf8')).toContain('bundle-test-marker');
  });

  it("should fail with wrangler's error message when the source does not compile", async () => {
    const broken = await writeScratchWorker(path.join(scratch, 'workers'), 'broken', { 'index.ts': 'export default {{ oops\n' });
    const failure = bundleWorker({ workerDir: broken, outDir: path.join(scratch, 'out-broken') });
    await expect(failure).rejects.toBeInstanceOf(WorkerBundleError);
    await expect(failure).rejects.toThrow(/Build failed[\s\S]*src\/index\.ts/);
  });

  it('should refuse a folder without a wrangler config', async () => {
    await expect(bundleWorker({ workerDir: scratch })).rejects.toThrow(/No wrangler config/);
  });
});
