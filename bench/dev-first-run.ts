// `npm run bench:dev-first-run [-- --runs N]`: times `npm run dev` on fresh clones and prints each run and the median.
import { parseArgs } from 'node:util';
import { measureDevFirstRun } from './measure-dev-first-run.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, ref: { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
  console.error(`--runs must be an integer in 1..50, got "${values.runs}"`);
  process.exit(1);
}
const result = await measureDevFirstRun({
  runs,
  ...(values.ref ? { ref: values.ref } : {}),
  ...(values.verbose ? { log: (output: string) => console.log(output) } : {}),
});
console.log(`npm run dev on a fresh clone of ${values.ref ?? 'the work tree'} (empty bundle cache, no .state), ${runs} runs:`);
console.log(`  to "Local stack ready": ${result.runsMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}`);
console.log(`  median ${(result.medianMs / 1000).toFixed(2)} s`);
console.log(`  as printed by dev.ts (from its own start): ${result.reportedMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
if (result.cpuSeconds.length > 0)
  console.log(`  CPU (all processes, start to stop): ${result.cpuSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}`);
