// Memory of workerd: the summed VmRSS of workerd processes, read from /proc (Linux only).
import { readdir, readFile } from 'node:fs/promises';

interface ProcInfo {
  pid: number;
  ppid: number;
  name: string;
}

async function readProc(pid: number): Promise<ProcInfo | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const name = /^Name:\s*(.+)$/m.exec(status)?.[1]?.trim() ?? '';
    const ppid = Number(/^PPid:\s*(\d+)$/m.exec(status)?.[1] ?? '0');
    return { pid, ppid, name };
  } catch {
    return undefined; // the process ended while we looked
  }
}

/**
 * Pids of workerd processes: descendants of this process when it started the stack, otherwise every workerd on
 * the machine (`--use-running`).
 */
export async function workerdPids(ownStack: boolean): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const procs = (await Promise.all(pids.map(readProc))).filter((p): p is ProcInfo => p !== undefined);
  const parentOf = new Map(procs.map((p) => [p.pid, p.ppid]));
  const isOurs = (pid: number): boolean => {
    for (let p = parentOf.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parentOf.get(p), hops++) {
      if (p === process.pid) return true;
    }
    return false;
  };
  return procs.filter((p) => p.name === 'workerd' && (!ownStack || isOurs(p.pid))).map((p) => p.pid);
}

/** Summed VmRSS in bytes of the given pids (a pid that has gone counts 0). */
export async function rssBytes(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      total += Number(/^VmRSS:\s*(\d+)\s*kB$/m.exec(status)?.[1] ?? '0') * 1024;
    } catch {
      // ended
    }
  }
  return total;
}

/** One snapshot: workerd RSS now. Throws when no workerd is found (memory numbers would be meaningless). */
export async function workerdRss(ownStack: boolean): Promise<{ pids: number[]; rssBytes: number }> {
  const pids = await workerdPids(ownStack);
  if (pids.length === 0) throw new Error('no workerd process found in /proc');
  return { pids, rssBytes: await rssBytes(pids) };
}
