// wrangler's description of each Worker for the local stack (Miniflare options, D1 migration plans), committed next to
// its wrangler.jsonc as local-worker.generated.json, so a first `npm run dev` does not load wrangler at all.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseJsonc } from 'jsonc-parser';
import type { D1MigrationPlan, SourcelessWorkerOptions } from './prepare-worker.js';

/** What wrangler says about one Worker: its name, how Miniflare runs it (without code), and its D1 migrations. */
export interface WorkerDescription {
  name: string;
  workerOptions: SourcelessWorkerOptions;
  d1: D1MigrationPlan[];
}

/** The committed file: a description and the key of the inputs it was made from. */
interface CommittedDescription extends WorkerDescription {
  /** `npm run types` writes this file; `npm run types:check` (in `npm test`) fails when it is stale. */
  generatedBy: string;
  key: string;
}

export const DESCRIPTION_FILE = 'local-worker.generated.json';

const describeScript = fileURLToPath(new URL('./describe-workers.cjs', import.meta.url));

/**
 * SHA-256 over everything the description is made from: wrangler's version, the script that asks it, the Worker's
 * wrangler.jsonc and every D1 migration file it names. Any change makes the committed file unusable (the stack then
 * asks wrangler, and `npm run types:check` fails until it is regenerated).
 */
export async function descriptionKey(repoRoot: string, workerDir: string): Promise<string> {
  const hash = createHash('sha256');
  const add = (label: string, contents: string | Buffer): void => {
    hash.update(`${label}\n${Buffer.byteLength(contents)}:`);
    hash.update(contents);
  };
  const wrangler = JSON.parse(await readFile(path.join(repoRoot, 'node_modules', 'wrangler', 'package.json'), 'utf8')) as {
    version: string;
  };
  add('wrangler', wrangler.version);
  add('describe-workers.cjs', await readFile(describeScript));
  const configText = await readFile(path.join(workerDir, 'wrangler.jsonc'), 'utf8');
  add('wrangler.jsonc', configText);
  const config = parseJsonc(configText) as { d1_databases?: Array<{ migrations_dir?: string }> };
  for (const db of config.d1_databases ?? []) {
    const dir = path.resolve(workerDir, db.migrations_dir ?? 'migrations');
    if (!existsSync(dir)) continue;
    for (const file of (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort()) {
      add(path.relative(workerDir, path.join(dir, file)), await readFile(path.join(dir, file)));
    }
  }
  return hash.digest('hex');
}

/**
 * The committed description of the Worker, if it was made from exactly these inputs (`key`). Its one path, the
 * Worker's `rootPath`, is stored relative to the repository root (where `npm run types` runs wrangler) and is
 * resolved here to the absolute path wrangler gives when asked at run time.
 */
export async function committedDescription(repoRoot: string, workerDir: string, key: string): Promise<WorkerDescription | undefined> {
  try {
    const committed = JSON.parse(await readFile(path.join(workerDir, DESCRIPTION_FILE), 'utf8')) as CommittedDescription;
    if (committed.key !== key) return undefined;
    const { rootPath } = committed.workerOptions;
    const workerOptions =
      typeof rootPath === 'string' ? { ...committed.workerOptions, rootPath: path.resolve(repoRoot, rootPath) } : committed.workerOptions;
    return { name: committed.name, workerOptions, d1: committed.d1 };
  } catch {
    return undefined; // missing or unreadable: wrangler is asked instead
  }
}

/** The file's text for a description: stable (key first, 2-space JSON, final newline) so regenerating changes nothing. */
export function descriptionFileText(description: WorkerDescription, key: string): string {
  const committed: CommittedDescription = { generatedBy: 'npm run types', key, ...description };
  return `${JSON.stringify(committed, null, 2)}\n`;
}

/** Writes the file, or with `check` only says whether the committed one is current. */
export async function writeDescription(workerDir: string, description: WorkerDescription, key: string, check: boolean): Promise<boolean> {
  const file = path.join(workerDir, DESCRIPTION_FILE);
  const text = descriptionFileText(description, key);
  if (check) return (await readFile(file, 'utf8').catch(() => '')) === text;
  await writeFile(file, text);
  return true;
}
