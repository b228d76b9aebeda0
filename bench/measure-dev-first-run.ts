// `npm run dev` on a fresh clone: the repository's tracked files copied to a temp folder (no .bundles/, no .state/),
// node_modules linked in as `npm ci` would have left it, timed from the command to its "Local stack ready" line.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { percentile } from './stats.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface DevFirstRun {
  /** Wall time of each run, from starting `npm run dev` to its ready line (ms). */
  runsMs: number[];
  medianMs: number;
  /** What `npm run dev` itself printed ("ready in X s": from its own start, so without npm's and tsx's start-up). */
  reportedMs: number[];
  /**
   * CPU seconds (user + sys) of each whole run, start to stop, over every process in it (npm, tsx, wrangler, the IdP,
   * workerd), from /usr/bin/time; empty where that is not installed. Less sensitive than wall time to a busy machine.
   */
  cpuSeconds: number[];
}

export interface DevFirstRunOptions {
  runs: number;
  /** A commit to measure instead of the work tree (e.g. `main`); it runs on this work tree's node_modules. */
  ref?: string;
  /** Give up on one run after this long (ms). Default 60 s. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * Copy what a clone would have into a new temp folder: the commit `ref` when given (to compare with an earlier
 * version), else the work tree's tracked and new (not ignored) files.
 */
async function freshClone(ref: string | undefined): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-fresh-clone-'));
  if (ref !== undefined) {
    await promisify(execFile)('sh', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, 'sh', ref, dir], { cwd: repoRoot });
    await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  }
  const { stdout } = await promisify(execFile)('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = stdout.split('\0').filter((file) => file !== '');
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await cp(path.join(repoRoot, file), path.join(dir, file), { force: true, errorOnExist: false }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error; // a tracked file deleted in the work tree is not in a clone of it either
      },
    );
  }
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Stop `npm run dev` the way Ctrl-C does (SIGINT to its process group); wait until its output is complete. */
async function stopDev(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  process.kill(-pid, 'SIGINT');
  const killTimer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 15_000);
  await exited;
  clearTimeout(killTimer);
}

const TIME = '/usr/bin/time';
const CPU_LINE = /^bench-cpu ([\d.]+) ([\d.]+)$/m;

interface OneRun {
  wallMs: number;
  reportedMs: number;
  cpuSeconds?: number;
}

async function oneRun(dir: string, timeoutMs: number, log: (line: string) => void): Promise<OneRun> {
  const startedAt = performance.now();
  const [command, args] = existsSync(TIME) ? [TIME, ['-f', 'bench-cpu %U %S', 'npm', 'run', 'dev']] : ['npm', ['run', 'dev']];
  const child = spawn(command, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let output = '';
  let ready: Omit<OneRun, 'cpuSeconds'>;
  try {
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm run dev not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const ready = /Local stack ready in ([\d.]+) s/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve({ wallMs: performance.now() - startedAt, reportedMs: Number(ready[1]) * 1000 });
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`npm run dev exited (${signal ?? code}) before it was ready:\n${output}`));
      });
    });
  } finally {
    await stopDev(child);
    log(output);
  }
  const cpu = CPU_LINE.exec(output);
  return { ...ready, ...(cpu ? { cpuSeconds: Number(cpu[1]) + Number(cpu[2]) } : {}) };
}

/** Time `npm run dev` `runs` times, each on a new fresh clone. Needs the dev ports (8788–8790) free. */
export async function measureDevFirstRun(options: DevFirstRunOptions): Promise<DevFirstRun> {
  const log = options.log ?? (() => {});
  const runsMs: number[] = [];
  const reportedMs: number[] = [];
  const cpuSeconds: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const dir = await freshClone(options.ref);
    try {
      const result = await oneRun(dir, options.timeoutMs ?? 60_000, log);
      runsMs.push(Math.round(result.wallMs));
      reportedMs.push(Math.round(result.reportedMs));
      if (result.cpuSeconds !== undefined) cpuSeconds.push(Math.round(result.cpuSeconds * 100) / 100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return {
    runsMs,
    medianMs: percentile(
      [...runsMs].sort((a, b) => a - b),
      50,
    ),
    reportedMs,
    cpuSeconds,
  };
}
