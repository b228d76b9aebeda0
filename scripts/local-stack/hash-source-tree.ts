// Content hash of the files a Worker build depends on: the cache key that lets a second `npm run dev` skip wrangler.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface HashSourceTreeOptions {
  /** Folders hashed recursively (file names relative to each folder, plus contents). */
  dirs: readonly string[];
  /** Single files hashed too (e.g. the lockfile, which pins wrangler, esbuild and every bundled package). */
  files?: readonly string[];
  /** Extra strings mixed in (e.g. a cache format version). */
  salt?: string;
}

// Not inputs of a bundle: dependencies are covered by the lockfile, the rest is output, state or tests.
const SKIPPED_DIRS = new Set(['node_modules', '.wrangler', '.bundles', '.state', 'dist', 'test', 'coverage']);
const SKIPPED_FILES = [/\.test\.ts$/, /\.md$/];

/** Hex SHA-256 over the given trees; stable across machines (sorted, relative names). */
export async function hashSourceTree(options: HashSourceTreeOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`salt:${options.salt ?? ''}\n`);
  // Read every file at once (one by one, ~0.1 s of round trips on the first-run path), then hash them in order.
  const trees = await Promise.all(
    options.dirs.map(async (dir) => {
      const files = await listFiles(dir);
      return {
        dir,
        files: await Promise.all(files.map(async (file) => ({ name: file, contents: await readInput(path.join(dir, file)) }))),
      };
    }),
  );
  const singles = await Promise.all(
    (options.files ?? []).map(async (file) => ({ name: path.basename(file), contents: await readInput(file) })),
  );
  for (const { dir, files } of trees) {
    hash.update(`dir:${path.basename(dir)}\n`);
    for (const file of files) hashFile(hash, file);
  }
  for (const file of singles) hashFile(hash, file);
  return hash.digest('hex');
}

interface Input {
  name: string;
  /** Undefined when the file does not exist. */
  contents: Buffer | undefined;
}

async function readInput(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    // A missing optional input (no lockfile yet) is a state of its own, not an error.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

function hashFile(hash: ReturnType<typeof createHash>, { name, contents }: Input): void {
  if (contents === undefined) {
    hash.update(`missing:${name}\n`);
    return;
  }
  hash.update(`file:${name}:${contents.byteLength}\n`);
  hash.update(contents);
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(path.join(root, prefix), { withFileTypes: true });
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...(await listFiles(root, rel)));
    } else if (entry.isFile() && !SKIPPED_FILES.some((re) => re.test(entry.name))) {
      files.push(rel);
    }
  }
  return files.sort();
}
