// Work that must happen but not before the response: started one macrotask later, kept alive with waitUntil.
import { waitUntil } from 'cloudflare:workers';

/**
 * Runs `task` once the current response has been handed over, and keeps the invocation alive until it settles.
 * Measured in local workerd: work issued in the same turn as the response holds the response back for as long as
 * it runs, work a macrotask later does not. A failure is reported as `label` with the error's name only (never its
 * message, which may carry data), and never reaches the caller.
 */
export function afterResponse(label: string, task: () => Promise<unknown>): void {
  const run = new Promise((resolve) => setTimeout(resolve, 0)).then(task).catch((error: unknown) => {
    console.error(`${label} failed`, error instanceof Error ? error.name : 'unknown');
  });
  pending.add(run);
  void run.finally(() => pending.delete(run));
  waitUntil(run);
}

/** Scheduled and not yet settled; `run` never rejects. */
const pending = new Set<Promise<unknown>>();

/**
 * Resolves once every task scheduled so far (and any they schedule) has settled. For tests: the runtime keeps an
 * invocation alive for its waitUntil work, but a test file can end, and its isolate be torn down, before that work
 * has run (a request log line written during teardown fails the run).
 */
export async function afterResponseWorkSettled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
