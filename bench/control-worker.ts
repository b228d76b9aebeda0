// Starts the bench's control Worker (bench/control-worker) alone in a fresh workerd, on its own port.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { applyD1Migrations, type D1Like } from '../scripts/local-stack/apply-d1-migrations.js';
import { prepareWorker } from '../scripts/local-stack/prepare-worker.js';
import { bundleModules } from '../scripts/local-stack/start-local-stack.js';
import { benchControlPort } from './bench-target.js';
import { CONTROL_KV_KEY, CONTROL_KV_RECORD } from './control-worker/src/control-kv.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const workerDir = path.join(repoRoot, 'bench', 'control-worker');

export interface ControlWorker {
  /** `http://127.0.0.1:<port>`: `/noop`, `/kv-read`, `/audit-write`, `/audit-queued`, `/open/mcp`, `/mcp` (see the Worker's header). */
  base: string;
  dispose(): Promise<void>;
}

/** Built like the real Workers (wrangler, cached by source hash); its KV holds the record `/kv-read` reads. */
export async function startControlWorker(bundleCacheDir: string): Promise<ControlWorker> {
  const prepared = await prepareWorker({ workerDir, cacheDir: path.join(bundleCacheDir, 'control-worker'), repoRoot });
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
      workers: [
        {
          ...prepared.workerOptions,
          name: prepared.name,
          ...bundleModules(prepared.bundle),
          unsafeDirectSockets: [{ host: '127.0.0.1', port: benchControlPort }],
        },
      ],
    }),
  );
  try {
    await mf.ready;
    const kv = await mf.getKVNamespace('OAUTH_KV', prepared.name);
    await kv.put(CONTROL_KV_KEY, CONTROL_KV_RECORD);
    // The audit log's tables (workers/mcp-server/migrations), for /audit-write and /audit-queued.
    for (const plan of prepared.d1)
      await applyD1Migrations((await mf.getD1Database(plan.binding, prepared.name)) as unknown as D1Like, plan);
  } catch (error) {
    await mf.dispose();
    throw error;
  }
  return { base: `http://127.0.0.1:${benchControlPort}`, dispose: () => mf.dispose() };
}
