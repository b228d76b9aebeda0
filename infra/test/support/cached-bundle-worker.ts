// A stand-in for scripts/build/bundle-worker.js in program tests: the real wrangler build (~3 s per Worker), once per
// test file and Worker however many program runs there are, into .bundles/<folder>/ so parallel files never swap
// each other's bundle. It also checks that the program bundles into .bundles/pulumi/.
import path from 'node:path';
import type { BundleWorkerOptions, WorkerBundle } from '../../../scripts/build/bundle-worker.js';

type BundleModule = typeof import('../../../scripts/build/bundle-worker.js');

export function cachedBundleWorker(real: BundleModule, folder: string): BundleModule {
  // On globalThis: vi.resetModules() re-runs the mock factory before every program run.
  const cache = ((globalThis as { __bundleCache?: Map<string, Promise<WorkerBundle>> }).__bundleCache ??= new Map());
  return {
    ...real,
    bundleWorker: (options: BundleWorkerOptions) => {
      if (!options.outDir?.includes(`${path.sep}.bundles${path.sep}pulumi${path.sep}`)) {
        throw new Error(`the program must bundle into .bundles/pulumi/, got ${options.outDir}`);
      }
      const key = `${folder}:${options.workerDir}`;
      let pending = cache.get(key);
      if (!pending) {
        const outDir = options.outDir.replace(`${path.sep}pulumi${path.sep}`, `${path.sep}${folder}${path.sep}`);
        cache.set(key, (pending = real.bundleWorker({ ...options, outDir })));
      }
      return pending;
    },
  };
}
