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
  for (const dir of options.dirs) {
    hash.update(`dir:${path.basename(dir)}\n`);
    for (const file of await listFiles(dir)) await hashFile(hash, file, path.join(dir, file));
  }
  for (const file of options.files ?? []) await hashFile(hash, path.basename(file), file);
  return hash.digest('hex');
}

async function hashFile(hash: ReturnType<typeof createHash>, name: string, file: string): Promise<void> {
  let contents: Buffer;
  try {
    contents = await readFile(file);
  } catch (error) {
    // A missing optional input (no lockfile yet) is a state of its own, not an error.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
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
