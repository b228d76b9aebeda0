// Each Worker's startup CPU time (module evaluation at isolate start), from `wrangler check startup`'s local CPU profile.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findToolRoot, runWrangler } from '../scripts/build/run-wrangler.js';
import { discoverWorkers } from '../scripts/local-stack/discover-workers.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

export interface StartupCpu {
  worker: string;
  /** Median over the runs of the profile's non-idle time, garbage collection included (ms). */
  activeMs: number;
  /** Garbage collection within that (ms), same run as the median. */
  gcMs: number;
  runs: number;
}

/** The subset of a V8 `.cpuprofile` this reads: sampled nodes and the time each sample stands for. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Non-idle and GC time of a profile, in ms (what wrangler prints as "Active" and "garbage collection"). */
export function profileTimes(profile: CpuProfile): { activeMs: number; gcMs: number } {
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  let active = 0;
  let gc = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const name = names.get(id);
    if (name === '(idle)') return;
    active += delta;
    if (name === '(garbage collector)') gc += delta;
  });
  return { activeMs: Math.round(active / 100) / 10, gcMs: Math.round(gc / 100) / 10 };
}

/**
 * `wrangler check startup` builds each Worker as a deploy would and profiles its startup in a local
 * workerd, offline (no account needed). A local CPU is not Cloudflare's, so compare runs on one machine.
 */
export async function measureStartupCpu(runs: number): Promise<StartupCpu[]> {
  const workers = await discoverWorkers(path.join(repoRoot, 'workers'));
  const toolRoot = findToolRoot([repoRoot]);
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bench-startup-'));
  try {
    const results: StartupCpu[] = [];
    for (const worker of workers) {
      const samples: Array<{ activeMs: number; gcMs: number }> = [];
      for (let run = 0; run < runs; run++) {
        const outfile = path.join(outDir, `${worker.name}-${run}.cpuprofile`);
        await runWrangler(toolRoot, ['check', 'startup', '--outfile', outfile], worker.workerDir);
        samples.push(profileTimes(JSON.parse(await readFile(outfile, 'utf8')) as CpuProfile));
      }
      samples.sort((a, b) => a.activeMs - b.activeMs);
      const median = samples[Math.floor(samples.length / 2)] ?? { activeMs: Number.NaN, gcMs: Number.NaN };
      results.push({ worker: worker.name, ...median, runs });
    }
    return results;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
