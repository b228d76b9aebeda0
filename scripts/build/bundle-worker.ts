// Builds a Worker exactly as `wrangler deploy` would (via `wrangler deploy --dry-run --outdir`): the authority, for Pulumi and the bench.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { findToolRoot, runWrangler, WranglerError } from './run-wrangler.js';

/** A built Worker: the files wrangler would upload, and a content hash that drives updates. */
export interface WorkerBundle {
  /** Absolute path of the Worker's folder (the one holding wrangler.jsonc). */
  workerDir: string;
  /** Absolute path of the folder holding the built files. */
  outDir: string;
  /** File name of the entry module inside `outDir`, e.g. `index.js`. */
  mainModule: string;
  /** Absolute path of the entry module. */
  mainPath: string;
  /**
   * Hex SHA-256 over every uploaded file's name and contents (source maps and README excluded): the identity of the
   * whole bundle. Not `WorkersScript.contentSha256`, which is the plain hash of the one uploaded file's bytes.
   */
  sha256: string;
  /** Total size in bytes of the uploaded files. */
  sizeBytes: number;
  /** Uploaded files, relative to `outDir`, sorted (the entry module and any extra modules). */
  files: string[];
}

export interface BundleWorkerOptions {
  /** Folder of the Worker, holding `wrangler.jsonc`. */
  workerDir: string;
  /**
   * Where to put the built files. Replaced as a whole on every build (wrangler never cleans it, and a stale
   * file would change the hash). Default: `<repo>/.bundles/<folder name of workerDir>`.
   */
  outDir?: string;
}

/** Raised when wrangler cannot build the Worker; `message` carries wrangler's own error output. */
export class WorkerBundleError extends Error {
  override readonly name = 'WorkerBundleError';
}

// Files wrangler writes next to the bundle that are not uploaded: they carry absolute paths or a timestamp,
// so hashing them would make the hash depend on where and when the build ran.
const NOT_UPLOADED = [/\.map$/, /^README\.md$/];

const CONFIG_FILES = ['wrangler.jsonc', 'wrangler.json', 'wrangler.toml'];

/** Build the Worker in `workerDir` with the repository's pinned wrangler and describe the result. */
export async function bundleWorker(options: BundleWorkerOptions): Promise<WorkerBundle> {
  const workerDir = path.resolve(options.workerDir);
  const configPath = CONFIG_FILES.map((f) => path.join(workerDir, f)).find((f) => existsSync(f));
  if (!configPath) {
    throw new WorkerBundleError(`No wrangler config (${CONFIG_FILES.join(', ')}) in ${workerDir}`);
  }
  let toolRoot: string;
  try {
    toolRoot = findToolRoot([workerDir, process.cwd()]);
  } catch (error) {
    throw new WorkerBundleError((error as Error).message, { cause: error });
  }
  const outDir = path.resolve(options.outDir ?? path.join(toolRoot, '.bundles', path.basename(workerDir)));
  if (isSameOrInside(workerDir, outDir)) {
    // Replacing outDir would delete the Worker's own sources.
    throw new TypeError(`outDir ${outDir} must not contain the Worker folder ${workerDir}`);
  }

  await buildThenSwapIn(outDir, async (buildDir) => {
    await runWrangler(toolRoot, ['deploy', '--dry-run', '--outdir', buildDir, '--config', configPath], workerDir).catch(
      (error: unknown) => {
        throw error instanceof WranglerError
          ? new WorkerBundleError(`wrangler could not build the Worker in ${workerDir}:\n${error.message}`, { cause: error })
          : error;
      },
    );
  });

  return describeBuiltBundle(workerDir, outDir, configPath);
}

/**
 * Runs `build` into a fresh sibling folder of `outDir`, then swaps it in as `outDir`: a failed build leaves the previous
 * bundle intact, and no stale file of an earlier build survives (it would change the hash).
 */
export async function buildThenSwapIn(outDir: string, build: (buildDir: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(outDir), { recursive: true });
  const buildDir = await mkdtemp(path.join(path.dirname(outDir), `.${path.basename(outDir)}-build-`));
  try {
    await build(buildDir);
    await rm(outDir, { recursive: true, force: true });
    await rename(buildDir, outDir);
  } catch (error) {
    await rm(buildDir, { recursive: true, force: true });
    throw error;
  }
}

/** Describe the built files in `outDir` (wrangler's layout): entry module, hash and size of what would be uploaded. */
export async function describeBuiltBundle(workerDir: string, outDir: string, configPath: string): Promise<WorkerBundle> {
  const files = await listUploadedFiles(outDir);
  const mainModule = await pickMainModule(configPath, files);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for (const file of files) {
    const contents = await readFile(path.join(outDir, file));
    sizeBytes += contents.byteLength;
    // Length-prefix name and contents so ("ab","c") and ("a","bc") cannot collide.
    hash.update(`${Buffer.byteLength(file)}:${file}\n${contents.byteLength}:`);
    hash.update(contents);
  }
  return {
    workerDir,
    outDir,
    mainModule,
    mainPath: path.join(outDir, mainModule),
    sha256: hash.digest('hex'),
    sizeBytes,
    files,
  };
}

async function listUploadedFiles(outDir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(outDir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listUploadedFiles(outDir, rel)));
    else if (!NOT_UPLOADED.some((re) => re.test(rel))) files.push(rel);
  }
  return files.sort();
}

// wrangler names the entry module after `main` (src/index.ts -> index.js); it does not write a manifest.
async function pickMainModule(configPath: string, files: string[]): Promise<string> {
  const text = await readFile(configPath, 'utf8');
  const main = configPath.endsWith('.toml')
    ? /^\s*main\s*=\s*"([^"]+)"/m.exec(text)?.[1]
    : (parseJsonc(text) as { main?: unknown } | undefined)?.main;
  if (main !== undefined && typeof main !== 'string') throw new WorkerBundleError(`"main" in ${configPath} is not a string`);
  const expected = main ? path.basename(main).replace(/\.(?:[cm]?[jt]sx?)$/, '.js') : undefined;
  if (expected && files.includes(expected)) return expected;
  const scripts = files.filter((f) => /\.m?js$/.test(f));
  if (scripts.length === 1 && scripts[0]) return scripts[0];
  throw new WorkerBundleError(`Cannot tell the entry module among [${files.join(', ')}] (main: ${main ?? 'unset'})`);
}

function isSameOrInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
