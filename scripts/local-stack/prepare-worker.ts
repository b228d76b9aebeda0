// Turns a Worker folder into what Miniflare needs (bundle, bindings, D1 migrations), cached by a hash of its sources.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V4WorkerOptionsShape } from 'miniflare';
import { bundleWorker, type WorkerBundle } from '../build/bundle-worker.js';
import { wranglerOfflineEnv } from '../build/wrangler-offline-env.js';
import { hashSourceTree } from './hash-source-tree.js';

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
  const [bundle, derived] = await Promise.all([bundleWorker({ workerDir, outDir }), deriveFromWranglerConfig(workerDir)]);
  const record: CachedWorker = {
    format: CACHE_FORMAT,
    sourceKey,
    name: derived.name,
    bundle: { mainModule: bundle.mainModule, sha256: bundle.sha256, sizeBytes: bundle.sizeBytes, files: bundle.files },
    workerOptions: derived.workerOptions,
    d1: derived.d1,
  };
  await mkdir(options.cacheDir, { recursive: true });
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

interface WranglerD1Config {
  binding: string;
  migrations_dir?: string;
  migrations_table?: string;
}

/**
 * Ask wrangler itself how it would run this Worker locally (bindings, Durable Objects, KV, D1, compatibility),
 * so the local stack never retypes wrangler.jsonc. Importing wrangler costs ~3 s, hence only on a cache miss.
 */
async function deriveFromWranglerConfig(
  workerDir: string,
): Promise<{ name: string; workerOptions: SourcelessWorkerOptions; d1: D1MigrationPlan[] }> {
  for (const [key, value] of Object.entries(wranglerOfflineEnv)) process.env[key] ??= value;
  const wrangler = await import('wrangler');
  const configPath = path.join(workerDir, 'wrangler.jsonc');
  // wrangler warns that secrets are missing from .dev.vars: the stack passes them as bindings, so only errors matter.
  const previousLogLevel = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = 'error';
  let config: ReturnType<typeof wrangler.unstable_readConfig>;
  let workerOptions: SourcelessWorkerOptions;
  try {
    config = wrangler.unstable_readConfig({ config: configPath });
    ({ workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config));
  } finally {
    if (previousLogLevel === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = previousLogLevel;
  }
  if (!config.name) throw new Error(`${configPath} has no "name"`);
  // wrangler also fills declared secrets from process.env and .dev.vars: keep only wrangler.jsonc's own `vars`, so
  // no secret from the developer's shell is written to the cache; the stack sets secrets itself (local-worker-vars.ts).
  const declaredVars = new Set(Object.keys((config.vars ?? {}) as Record<string, unknown>));
  workerOptions.bindings = Object.fromEntries(Object.entries(workerOptions.bindings ?? {}).filter(([name]) => declaredVars.has(name)));

  const d1: D1MigrationPlan[] = [];
  for (const db of (config.d1_databases ?? []) as WranglerD1Config[]) {
    const dir = path.resolve(workerDir, db.migrations_dir ?? 'migrations');
    const names = existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort() : [];
    const migrations: D1Migration[] = [];
    for (const name of names) {
      const sql = await readFile(path.join(dir, name), 'utf8');
      migrations.push({ name, statements: wrangler.unstable_splitSqlQuery(sql).filter((s) => s.trim() !== '') });
    }
    d1.push({ binding: db.binding, migrationsTable: db.migrations_table ?? 'd1_migrations', migrations });
  }
  // JSON round trip: the record is cached as JSON, so use exactly what a cache hit would see.
  return { name: config.name, workerOptions: JSON.parse(JSON.stringify(workerOptions)) as SourcelessWorkerOptions, d1 };
}
