// Finds the Workers the local stack can run: every workers/<name>/ whose wrangler.jsonc and src/index.ts exist.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';

export interface DiscoveredWorker {
  /** `name` from wrangler.jsonc, e.g. `todos-api`. */
  name: string;
  /** Absolute folder, e.g. `<repo>/workers/todos-api`. */
  workerDir: string;
}

/**
 * Workers are written in parallel with the stack: one whose entry point does not exist yet is left out rather
 * than failing the whole stack (the caller reports which ones run).
 */
export async function discoverWorkers(workersRoot: string): Promise<DiscoveredWorker[]> {
  const found: DiscoveredWorker[] = [];
  for (const entry of (await readdir(workersRoot, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const workerDir = path.join(workersRoot, entry.name);
    const configPath = path.join(workerDir, 'wrangler.jsonc');
    if (!existsSync(configPath) || !existsSync(path.join(workerDir, 'src', 'index.ts'))) continue;
    const config = parseJsonc(await readFile(configPath, 'utf8')) as { name?: unknown } | undefined;
    if (typeof config?.name !== 'string' || config.name === '') throw new Error(`${configPath} has no "name"`);
    found.push({ name: config.name, workerDir });
  }
  return found;
}
