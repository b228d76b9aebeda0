// The committed description of each Worker: current for the repository's Workers, and unused once its inputs change.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverWorkers } from '../discover-workers.js';
import { committedDescription, DESCRIPTION_FILE, descriptionKey } from '../worker-description.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// Every Worker the stack runs, as `npm run types` finds them.
const workerDirs = (await discoverWorkers(path.join(repoRoot, 'workers'))).map((w) => w.workerDir);

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A copy of the Worker's wrangler.jsonc, migrations and committed description, in a temp folder. */
async function copyOf(workerDir: string): Promise<string> {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'worker-description-'));
  const copy = path.join(scratch, path.basename(workerDir));
  for (const entry of ['wrangler.jsonc', 'migrations', DESCRIPTION_FILE]) {
    await cp(path.join(workerDir, entry), path.join(copy, entry), { recursive: true });
  }
  return copy;
}

describe('committed Worker descriptions', () => {
  it.each(workerDirs)('should match the current inputs of %s (else `npm run types` was not run)', async (workerDir) => {
    const description = await committedDescription(repoRoot, workerDir, await descriptionKey(repoRoot, workerDir));
    expect(description?.name).toBeTruthy();
    // The one path in it is stored relative and resolved to the Worker's folder, as wrangler gives it at run time.
    expect(description?.workerOptions.rootPath).toBe(workerDir);
    expect(await readFile(path.join(workerDir, DESCRIPTION_FILE), 'utf8')).not.toContain(repoRoot);
  });

  it('should not be used once wrangler.jsonc changes', async () => {
    const copy = await copyOf(workerDirs[0] as string);
    const before = await descriptionKey(repoRoot, copy);
    expect(await committedDescription(repoRoot, copy, before)).toBeDefined();
    const config = path.join(copy, 'wrangler.jsonc');
    await writeFile(config, `${await readFile(config, 'utf8')}\n// changed\n`);
    const after = await descriptionKey(repoRoot, copy);
    expect(after).not.toBe(before);
    expect(await committedDescription(repoRoot, copy, after)).toBeUndefined();
  });

  it('should not be used once a D1 migration changes', async () => {
    const copy = await copyOf(workerDirs[1] as string);
    const before = await descriptionKey(repoRoot, copy);
    await writeFile(path.join(copy, 'migrations', '0099_more.sql'), 'CREATE TABLE t (x);\n');
    expect(await descriptionKey(repoRoot, copy)).not.toBe(before);
  });

  it('should give each Worker its own local D1 database, as the cloud stack does', async () => {
    // Miniflare keys local D1 storage by database id: a shared placeholder would make one database of two, where a
    // migration of one Worker could be taken as already applied for the other.
    const ids = await Promise.all(
      workerDirs.map(async (workerDir) => {
        const description = await committedDescription(repoRoot, workerDir, await descriptionKey(repoRoot, workerDir));
        return Object.values(description?.workerOptions.d1Databases ?? {}).map((d) => (typeof d === 'string' ? d : d.id));
      }),
    );
    const all = ids.flat();
    expect(all.length).toBeGreaterThan(1);
    expect(new Set(all).size).toBe(all.length);
  });

  it('should be ignored when missing or unreadable', async () => {
    const copy = await copyOf(workerDirs[1] as string);
    const key = await descriptionKey(repoRoot, copy);
    await writeFile(path.join(copy, DESCRIPTION_FILE), '{ not json');
    expect(await committedDescription(repoRoot, copy, key)).toBeUndefined();
    await rm(path.join(copy, DESCRIPTION_FILE));
    expect(await committedDescription(repoRoot, copy, key)).toBeUndefined();
  });
});
