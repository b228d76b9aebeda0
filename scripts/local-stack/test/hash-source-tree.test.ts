// The bundle cache key: it changes with what a build reads, and only with that.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSourceTree } from '../hash-source-tree.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hash-source-tree-'));
  await mkdir(path.join(root, 'worker/src/mcp'), { recursive: true });
  await writeFile(path.join(root, 'worker/src/index.ts'), 'export default {};\n');
  await writeFile(path.join(root, 'worker/src/mcp/tools.ts'), 'export const tools = [];\n');
  await writeFile(path.join(root, 'worker/wrangler.jsonc'), '{ "main": "src/index.ts" }\n');
  await writeFile(path.join(root, 'package-lock.json'), '{}\n');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const key = () => hashSourceTree({ dirs: [path.join(root, 'worker')], files: [path.join(root, 'package-lock.json')], salt: 'test/1' });

describe('hashSourceTree', () => {
  it('should give the same key for the same files', async () => {
    expect(await key()).toBe(await key());
  });

  it('should change when a source, the lockfile or the salt changes', async () => {
    const before = await key();
    await writeFile(path.join(root, 'worker/src/mcp/tools.ts'), 'export const tools = [1];\n');
    const afterSource = await key();
    expect(afterSource).not.toBe(before);
    await writeFile(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}\n');
    expect(await key()).not.toBe(afterSource);
    expect(await hashSourceTree({ dirs: [path.join(root, 'worker')], salt: 'test/2' })).not.toBe(
      await hashSourceTree({ dirs: [path.join(root, 'worker')], salt: 'test/1' }),
    );
  });

  it('should change when a file is renamed, even with the same contents', async () => {
    const before = await key();
    await rm(path.join(root, 'worker/src/mcp/tools.ts'));
    await writeFile(path.join(root, 'worker/src/mcp/tool-list.ts'), 'export const tools = [];\n');
    expect(await key()).not.toBe(before);
  });

  it('should ignore tests, docs and build output', async () => {
    const before = await key();
    await mkdir(path.join(root, 'worker/test'), { recursive: true });
    await writeFile(path.join(root, 'worker/test/a.test.ts'), 'it("x", () => {});\n');
    await writeFile(path.join(root, 'worker/src/index.test.ts'), 'it("y", () => {});\n');
    await writeFile(path.join(root, 'worker/README.md'), '# Worker\n');
    await mkdir(path.join(root, 'worker/.wrangler/tmp'), { recursive: true });
    await writeFile(path.join(root, 'worker/.wrangler/tmp/out.js'), 'built\n');
    expect(await key()).toBe(before);
  });

  it('should tell a missing lockfile from an empty one', async () => {
    await writeFile(path.join(root, 'package-lock.json'), '');
    const empty = await key();
    await rm(path.join(root, 'package-lock.json'));
    expect(await key()).not.toBe(empty);
  });
});
