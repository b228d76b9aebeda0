// `npm run typecheck`: every TypeScript project of the repository checked with tsc, as many at once as there are cores.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The root project (scripts, infra, system, tests) and the Workers' own (their own lib and types). */
const projects = [
  'tsconfig.json',
  'workers/todos-api/tsconfig.json',
  'workers/mcp-server/tsconfig.json',
  'bench/control-worker/tsconfig.json',
];

const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** tsc is single-threaded: one project per core takes about half the time of running them in turn on 2 cores. */
function check(project: string): Promise<{ project: string; ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, '-p', project, '--noEmit', '--pretty'],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ project, ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

async function main(): Promise<void> {
  const queue = [...projects];
  const results: Array<Awaited<ReturnType<typeof check>>> = [];
  const worker = async (): Promise<void> => {
    for (let project = queue.shift(); project !== undefined; project = queue.shift()) results.push(await check(project));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(os.availableParallelism(), projects.length)) }, worker));
  const failed = results.filter((result) => !result.ok);
  for (const result of failed) process.stderr.write(`\ntsc -p ${result.project}:\n${result.output}`);
  if (failed.length > 0) {
    process.stderr.write(`\ntypecheck: ${failed.length} of ${projects.length} projects have errors\n`);
    process.exitCode = 1;
  }
}

await main();
