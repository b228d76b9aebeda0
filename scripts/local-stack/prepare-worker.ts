// Turns a Worker folder into what Miniflare needs (bundle, bindings, D1 migrations), cached by a hash of its sources.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V4WorkerOptionsShape } from 'miniflare';
import type { WorkerBundle } from '../build/bundle-worker.js';
import { esbuildWorker } from '../build/esbuild-worker.js';
import { findToolRoot, runWithWrangler } from '../build/run-wrangler.js';
import { hashSourceTree } from './hash-source-tree.js';
import { committedDescription, descriptionKey, type WorkerDescription } from './worker-description.js';

const describeScript = fileURLToPath(new URL('./describe-workers.cjs', import.meta.url));

/** Miniflare options derived from wrangler.jsonc, without the code (which comes from the bundle). */
export type SourcelessWorkerOptions = V4WorkerOptionsShape;

/** One D1 migration file, split into statements the way `wrangler d1 migrations apply` splits it. */
export interface D1Migration {
  name: string;
  statements: string[];
}

export interface D1MigrationPlan {
  binding: string;
  /** Table recording applied migrations (wrangler's `migrations_table`, default `d1_migrations`). */
  migrationsTable: string;
  migrations: D1Migration[];
}

export interface PreparedWorker {
  /** Worker name from wrangler.jsonc (e.g. `todos-api`). */
  name: string;
  workerDir: string;
  bundle: WorkerBundle;
  workerOptions: SourcelessWorkerOptions;
  d1: D1MigrationPlan[];
  /** True when nothing was rebuilt (the sources hash matched the cached build). */
  fromCache: boolean;
}

export interface PrepareWorkerOptions {
  workerDir: string;
  /** Folder for this Worker's cached build (one per Worker). */
  cacheDir: string;
  /** Repository root: its `system/` and lockfile are inputs of every Worker build. */
  repoRoot: string;
}

export interface PrepareWorkersOptions {
  workers: ReadonlyArray<{ workerDir: string; cacheDir: string }>;
  repoRoot: string;
  /**
   * Called on a cache miss once the esbuild builds are done, while a wrangler process may still describe the Workers
   * whose committed description is stale (its ~1.5 s of CPU); not called when every Worker comes from the cache. The
   * caller can start other work then, so on 2 cores it overlaps with wrangler instead of slowing the builds.
   */
  onBundled?: () => void;
}

// Bump when the cached shape changes so old caches are rebuilt rather than misread.
const CACHE_FORMAT = 'local-stack-worker-cache/2';

interface CachedWorker {
  format: string;
  sourceKey: string;
  name: string;
  bundle: Omit<WorkerBundle, 'workerDir' | 'outDir' | 'mainPath'>;
  workerOptions: SourcelessWorkerOptions;
  d1: D1MigrationPlan[];
}

/** Bundle the Worker and derive its Miniflare options, or reuse the cached result when its sources are unchanged. */
export async function prepareWorker(options: PrepareWorkerOptions): Promise<PreparedWorker> {
  const [prepared] = await prepareWorkers({ workers: [options], repoRoot: options.repoRoot });
  return prepared as PreparedWorker;
}

/**
 * prepareWorker for several Workers at once, in the given order. On a cache miss the bundles come from esbuild in
 * this process (esbuild-worker.ts: the bytes `wrangler deploy` would build) while one wrangler process, for all
 * missing Workers together, says how to run them (describe-workers.cjs): wrangler is loaded once, not per Worker.
 */
export async function prepareWorkers(options: PrepareWorkersOptions): Promise<PreparedWorker[]> {
  const lookups = await Promise.all(
    options.workers.map(async (w) => {
      const workerDir = path.resolve(w.workerDir);
      const sourceKey = await hashSourceTree({
        dirs: [workerDir, path.join(options.repoRoot, 'system')],
        files: [path.join(options.repoRoot, 'package-lock.json')],
        salt: CACHE_FORMAT,
      });
      const metaPath = path.join(w.cacheDir, 'worker.json');
      const outDir = path.join(w.cacheDir, 'bundle');
      const cached = await readCache(metaPath);
      const hit = cached && cached.sourceKey === sourceKey && existsSync(path.join(outDir, cached.bundle.mainModule)) ? cached : undefined;
      return { workerDir, cacheDir: w.cacheDir, sourceKey, metaPath, outDir, hit };
    }),
  );
  const misses = lookups.filter((l) => !l.hit);
  for (const miss of misses) {
    // Drop the stale record first so a crash mid-build cannot leave a key pointing at old files.
    await rm(miss.metaPath, { force: true });
    await mkdir(miss.cacheDir, { recursive: true });
  }
  // wrangler's description comes from the committed file when it was made from these very inputs (the usual case,
  // checked by `npm run types:check`); only the others are asked of wrangler, all in one process.
  const committed = await Promise.all(
    misses.map(async (m) => committedDescription(options.repoRoot, m.workerDir, await descriptionKey(options.repoRoot, m.workerDir))),
  );
  const toDescribe = misses.filter((_, i) => committed[i] === undefined);
  const described: Promise<WorkerDescription[]> = (
    toDescribe.length === 0
      ? Promise.resolve<WorkerDescription[]>([])
      : describeWorkers(
          options.repoRoot,
          toDescribe.map((m) => m.workerDir),
          toDescribe[0]?.cacheDir as string,
        )
  ).then((fresh) => misses.map((m, i) => committed[i] ?? (fresh[toDescribe.indexOf(m)] as WorkerDescription)));
  const bundles = misses.map((m) => esbuildWorker({ workerDir: m.workerDir, outDir: m.outDir }));
  // esbuild runs its plugins (the unenv polyfill resolution) on this thread: let it finish before the caller loads
  // more code here; the wrangler process keeps the other core busy meanwhile.
  if (misses.length > 0) void Promise.allSettled(bundles).then(() => options.onBundled?.());
  // Let every build finish before failing, so none is left writing into a cache folder.
  for (const result of await Promise.allSettled<unknown>([described, ...bundles])) {
    if (result.status === 'rejected') throw result.reason;
  }
  const descriptions = await described;
  const builtBundles = await Promise.all(bundles);

  return Promise.all(
    lookups.map(async (l) => {
      if (l.hit) {
        return {
          name: l.hit.name,
          workerDir: l.workerDir,
          bundle: { ...l.hit.bundle, workerDir: l.workerDir, outDir: l.outDir, mainPath: path.join(l.outDir, l.hit.bundle.mainModule) },
          workerOptions: l.hit.workerOptions,
          d1: l.hit.d1,
          fromCache: true,
        };
      }
      const index = misses.indexOf(l);
      const derived = descriptions[index] as WorkerDescription;
      const bundle = builtBundles[index] as WorkerBundle;
      const record: CachedWorker = {
        format: CACHE_FORMAT,
        sourceKey: l.sourceKey,
        name: derived.name,
        bundle: { mainModule: bundle.mainModule, sha256: bundle.sha256, sizeBytes: bundle.sizeBytes, files: bundle.files },
        workerOptions: derived.workerOptions,
        d1: derived.d1,
      };
      await writeFile(l.metaPath, `${JSON.stringify(record, null, 2)}\n`);
      return { name: derived.name, workerDir: l.workerDir, bundle, workerOptions: derived.workerOptions, d1: derived.d1, fromCache: false };
    }),
  );
}

async function readCache(metaPath: string): Promise<CachedWorker | undefined> {
  try {
    const record = JSON.parse(await readFile(metaPath, 'utf8')) as CachedWorker;
    return record.format === CACHE_FORMAT ? record : undefined;
  } catch {
    return undefined; // missing or unreadable: rebuild
  }
}

/**
 * How wrangler itself would run each Worker locally (bindings, Durable Objects, KV, D1, compatibility), so the local
 * stack never retypes wrangler.jsonc: asked of one wrangler process for all the Workers (describe-workers.cjs).
 */
export async function describeWorkers(repoRoot: string, workerDirs: string[], scratchDir: string): Promise<WorkerDescription[]> {
  const toolRoot = findToolRoot([repoRoot]);
  const outFile = path.join(scratchDir, `describe-${process.pid}.json`);
  const configs = workerDirs.map((dir) => path.join(dir, 'wrangler.jsonc'));
  try {
    await runWithWrangler(toolRoot, describeScript, [outFile, ...configs], repoRoot).catch((error: unknown) => {
      throw new Error(`wrangler could not describe the Workers: ${(error as Error).message}`, { cause: error });
    });
    const results = JSON.parse(await readFile(outFile, 'utf8')) as Array<({ ok: true } & WorkerDescription) | { ok: false; error: string }>;
    return results.map((result, i) => {
      if (!result.ok) throw new Error(`wrangler could not read ${configs[i]}: ${result.error}`);
      return { name: result.name, workerOptions: result.workerOptions, d1: result.d1 };
    });
  } finally {
    await rm(outFile, { force: true });
  }
}
