// What the Cloudflare provider checks about an upload, mirrored: one module only, a plain SHA-256 of the file it
// opens, and a contentFile that resolves from the provider's working directory on any checkout.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { WorkerBundle } from '../../scripts/build/bundle-worker.js';
import { sha256OfFile, singleModule } from '../cloudflare.js';
import { providerRelativePath, providerWorkingDir } from '../provider-paths.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const bundle = (files: string[]): WorkerBundle => ({
  workerDir: '/repo/workers/x',
  outDir: '/repo/.bundles/x',
  mainModule: 'index.js',
  mainPath: '/repo/.bundles/x/index.js',
  sha256: 'f'.repeat(64),
  sizeBytes: 1,
  files,
});

describe('singleModule', () => {
  it('passes a one-module bundle through', () => {
    expect(singleModule(bundle(['index.js'])).mainModule).toBe('index.js');
  });

  it('refuses a bundle with more modules, naming what would be missing, instead of uploading a partial Worker', () => {
    expect(() => singleModule(bundle(['chunk-1.js', 'index.js', 'query.wasm']))).toThrow(
      /builds to 3 modules .*uploads only the main module index\.js: chunk-1\.js, query\.wasm would be missing/,
    );
  });
});

describe('sha256OfFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sha-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is the plain SHA-256 of the bytes (no name, no length prefix), like the provider validator', async () => {
    const file = path.join(dir, 'index.js');
    const bytes = Buffer.from('export default { fetch() { return new Response("é"); } };\n');
    await writeFile(file, bytes);
    expect(await sha256OfFile(file)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('providerRelativePath', () => {
  it('is the directory of Pulumi.yaml main, where Pulumi starts provider plugins', () => {
    const main = (parse(readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8')) as { main: string }).main;
    expect(providerWorkingDir).toBe(path.dirname(path.join(root, main)));
  });

  it('gives the same path for the same file in two checkouts', () => {
    for (const checkout of ['/home/alice/src/remote-mcp', '/home/runner/work/remote-mcp/remote-mcp']) {
      const file = path.join(checkout, '.bundles', 'pulumi', 'todos-api', 'index.js');
      expect(providerRelativePath(file, path.join(checkout, 'infra'))).toBe('../.bundles/pulumi/todos-api/index.js');
    }
  });
});
