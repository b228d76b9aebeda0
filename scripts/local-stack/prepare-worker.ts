// Turns a Worker folder into what Miniflare needs (bundle, bindings, D1 migrations), cached by a hash of its sources.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V4WorkerOptionsShape } from 'miniflare';
import { bundleWorker, type WorkerBundle } from '../build/bundle-worker.js';
import { hashSourceTree } from './hash-source-tree.js';

const describePreload = fileURLToPath(new URL('./describe-worker-preload.cjs', import.meta.url));

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
  /** Called when wrangler starts building (not on a cache hit): the caller can start other work then. */
  onBuildStart?: () => void;
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
  const workerDir = path.resolve(options.workerDir);
  const sourceKey = await hashSourceTree({
    dirs: [workerDir, path.join(options.repoRoot, 'system')],
    files: [path.join(options.repoRoot, 'package-lock.json')],
    salt: CACHE_FORMAT,
  });
  const metaPath = path.join(options.cacheDir, 'worker.json');
  const outDir = path.join(options.cacheDir, 'bundle');

  const cached = await readCache(metaPath);
  if (cached && cached.sourceKey === sourceKey && existsSync(path.join(outDir, cached.bundle.mainModule))) {
    return {
      name: cached.name,
      workerDir,
      bundle: { ...cached.bundle, workerDir, outDir, mainPath: path.join(outDir, cached.bundle.mainModule) },
      workerOptions: cached.workerOptions,
      d1: cached.d1,
      fromCache: true,
    };
  }

  // Cache miss: drop the stale record first so a crash mid-build cannot leave a key pointing at old files.
  await rm(metaPath, { force: true });
  await mkdir(options.cacheDir, { recursive: true });
  const describeOut = path.join(options.cacheDir, `describe-${process.pid}.json`);
  let derived: DerivedWorker;
  let bundle: WorkerBundle;
  try {
    bundle = await bundleWorker({
      workerDir,
      outDir,
      wrangler: {
        preload: describePreload,
        env: { LOCAL_STACK_DESCRIBE_CONFIG: path.join(workerDir, 'wrangler.jsonc'), LOCAL_STACK_DESCRIBE_OUT: describeOut },
        ...(options.onBuildStart ? { onSpawn: options.onBuildStart } : {}),
      },
    });
    derived = await readDescription(describeOut);
  } finally {
    await rm(describeOut, { force: true });
  }
  const record: CachedWorker = {
    format: CACHE_FORMAT,
    sourceKey,
    name: derived.name,
    bundle: { mainModule: bundle.mainModule, sha256: bundle.sha256, sizeBytes: bundle.sizeBytes, files: bundle.files },
    workerOptions: derived.workerOptions,
    d1: derived.d1,
  };
  await writeFile(metaPath, `${JSON.stringify(record, null, 2)}\n`);
  return { name: derived.name, workerDir, bundle, workerOptions: derived.workerOptions, d1: derived.d1, fromCache: false };
}

async function readCache(metaPath: string): Promise<CachedWorker | undefined> {
  try {
    const record = JSON.parse(await readFile(metaPath, 'utf8')) as CachedWorker;
    return record.format === CACHE_FORMAT ? record : undefined;
  } catch {
    return undefined; // missing or unreadable: rebuild
  }
}

interface DerivedWorker {
  name: string;
  workerOptions: SourcelessWorkerOptions;
  d1: D1MigrationPlan[];
}

/**
 * How wrangler itself would run this Worker locally (bindings, Durable Objects, KV, D1, compatibility), so the local
 * stack never retypes wrangler.jsonc: written by describe-worker-preload.cjs inside the wrangler process that built the
 * bundle, which saves loading wrangler (~2 s of CPU) once more here.
 */
async function readDescription(file: string): Promise<DerivedWorker> {
  let result: ({ ok: true } & DerivedWorker) | { ok: false; error: string };
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as typeof result;
  } catch (error) {
    throw new Error(`wrangler built the Worker but did not describe it (${file}): ${(error as Error).message}`, { cause: error });
  }
  if (!result.ok) throw new Error(`wrangler could not read the Worker's config: ${result.error}`);
  return { name: result.name, workerOptions: result.workerOptions, d1: result.d1 };
}
