// Stack start time to all ports ready: fresh state with an empty bundle cache (cold) and with a warm one.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BenchTarget, startBenchStack } from './bench-target.js';

export interface StartTimes {
  /** Empty bundle cache: every Worker is built (esbuild-worker.ts) and described (its committed description). */
  coldMs: number;
  /** Fresh state folder, bundles from the cache: what `npm run dev` costs after the first time. */
  warmMs: number;
}

/**
 * Start once cold (throw-away bundle cache), stop, then start warm on `warmCacheDir` and return that stack
 * running, so the rest of the bench uses it (the warm cache was filled by earlier runs or by this call).
 */
export async function measureStartTimes(
  warmCacheDir: string,
  log: (line: string) => void,
): Promise<{ times: StartTimes; target: BenchTarget }> {
  const coldCache = await mkdtemp(path.join(os.tmpdir(), 'bench-cold-cache-'));
  let coldMs: number;
  try {
    const cold = await startBenchStack({ bundleCacheDir: coldCache, log });
    coldMs = cold.readyMs ?? Number.NaN;
    await cold.stop();
  } finally {
    await rm(coldCache, { recursive: true, force: true });
  }
  // Fill the warm cache if it is empty, so the measured warm start really hits it.
  const prime = await startBenchStack({ bundleCacheDir: warmCacheDir, log });
  await prime.stop();
  const target = await startBenchStack({ bundleCacheDir: warmCacheDir, log });
  return { times: { coldMs: Math.round(coldMs), warmMs: Math.round(target.readyMs ?? Number.NaN) }, target };
}
