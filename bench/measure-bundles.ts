// Bundle size of each Worker as `wrangler deploy --dry-run` builds it: raw bytes and gzip -9 bytes (node:zlib level 9).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleWorker } from '../scripts/build/bundle-worker.js';
import { discoverWorkers } from '../scripts/local-stack/discover-workers.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

export interface BundleSize {
  worker: string;
  files: string[];
  rawBytes: number;
  gzipBytes: number;
}

/** Build every Worker into a temp folder (the real build, not a cache) and sum raw and gzip -9 sizes of the uploaded files. */
export async function measureBundles(): Promise<BundleSize[]> {
  const workers = await discoverWorkers(path.join(repoRoot, 'workers'));
  const outRoot = await mkdtemp(path.join(os.tmpdir(), 'bench-bundles-'));
  try {
    const sizes: BundleSize[] = [];
    for (const worker of workers) {
      const bundle = await bundleWorker({ workerDir: worker.workerDir, outDir: path.join(outRoot, worker.name) });
      let gzipBytes = 0;
      for (const file of bundle.files) gzipBytes += gzipSync(await readFile(path.join(bundle.outDir, file)), { level: 9 }).length;
      sizes.push({ worker: worker.name, files: bundle.files, rawBytes: bundle.sizeBytes, gzipBytes });
    }
    return sizes;
  } finally {
    await rm(outRoot, { recursive: true, force: true });
  }
}
