// The whole local system in one process: the local IdP plus every Worker in one Miniflare (workerd), wired together.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Miniflare, V4ModuleDefinition, V4WorkerOptions } from 'miniflare';
import {
  defaultUserPermissions,
  localHost,
  localIdp,
  localIssuer,
  localUrl,
  mcpServer,
  type TodosPermission,
  todosApi,
} from '../../system/system.js';
import type { WorkerBundle } from '../build/bundle-worker.js';
import { loadOrCreateLocalIdpState } from '../local-idp/local-idp-state.js';
import type { LocalIdp } from '../local-idp/start-local-idp.js';
import { applyD1Migrations } from './apply-d1-migrations.js';
import { discoverWorkers } from './discover-workers.js';
import { ensurePortsFree } from './ensure-ports-free.js';
import { loadCookieEncryptionKey } from './load-cookie-encryption-key.js';
import { localD1Access } from './local-d1-access.js';
import { localWorkerVars } from './local-worker-vars.js';
import { type PreparedWorker, prepareWorkers } from './prepare-worker.js';

export type { LocalIdp } from '../local-idp/start-local-idp.js';

export interface LocalStackOptions {
  /** Ports on `localhost`. Defaults: the system description's dev ports (mcp 8788, api 8789, idp 8790). */
  ports?: { mcp?: number; api?: number; idp?: number };
  /** Folder for IdP keys, KV/D1/DO data, the cookie key and cached bundles. Default: `<repo>/.state`. */
  stateDir?: string;
  /**
   * Where built Worker bundles are cached, keyed by a hash of their sources. Default: `<stateDir>/bundles`.
   * Test files that each use a fresh stateDir share one cache here to skip rebuilding.
   */
  bundleCacheDir?: string;
  /** Keep data across restarts (default true). When false, IdP and Worker data live in a temp folder removed on stop. */
  persist?: boolean;
  idp?: { accessTokenTtlSeconds?: number };
  /**
   * The Todos API permissions users may grant (the stack setting `userPermissions`): the local IdP caps user tokens
   * at them and the MCP server offers no others, as Auth0 and the deployed Worker do. Default `defaultUserPermissions`.
   */
  userPermissions?: readonly TodosPermission[];
  /** Where progress and Worker console output go. Default: console.log. */
  log?: (line: string) => void;
  /**
   * Open workerd's V8 inspector on this loopback port: each Worker's isolate is listed at
   * `http://127.0.0.1:<port>/json` for DevTools or a CDP client (the bench reads heap snapshots). Off by default.
   */
  inspectorPort?: number;
}

export interface LocalStack {
  urls: { mcp: string; api: string; issuer: string };
  /** The IdP currently running (a new object after `startIdp()`). */
  readonly idp: LocalIdp;
  /** Workers running, by wrangler name, with how they were built. */
  workers: ReadonlyArray<{ name: string; url: string; bundleSha256: string; fromCache: boolean }>;
  stop(): Promise<void>;
  /** For fault tests: stop/start the IdP alone (same port/state) */
  stopIdp(): Promise<void>;
  startIdp(): Promise<void>;
  /**
   * For fault tests: replace one Worker with a stand-in whose every request throws, as a crashing deploy would.
   * Its port and the service bindings to it stay; workerd restarts with the new config, and data persists
   * (persisted stacks only). `restoreWorker` puts the real Worker back.
   */
  failWorker(name: string): Promise<void>;
  restoreWorker(name: string): Promise<void>;
  /** Runs a Worker's scheduled handler now, as its cron trigger would (e.g. the MCP server's audit-log purge). */
  runScheduled(name: string, cron: string): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

// Loaded only once the Worker builds are done (see startLocalStack). Miniflare is one 5.8 MB CommonJS file: through
// `require` it skips what `import()` adds for CommonJS (a format scan and an export lexer over the whole file, ~0.4 s).
const loadMiniflare = async (): Promise<typeof import('miniflare')> => createRequire(import.meta.url)('miniflare');
const loadLocalIdp = () => import('../local-idp/start-local-idp.js');

// Cloud-only flags: global_fetch_strictly_public blocks fetches to private addresses, including the loopback IdP and
// API of local mode, so the local stack refuses a wrangler.jsonc that gains one.
const LOCAL_MODE_FORBIDDEN_FLAGS = new Set<string>(mcpServer.cloudCompatibilityFlags);

/** Start the local IdP and every Worker that exists, each on its own `localhost` port, and wire them together. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const ports = {
    mcp: options.ports?.mcp ?? mcpServer.devPort,
    api: options.ports?.api ?? todosApi.devPort,
    idp: options.ports?.idp ?? localIdp.port,
  };
  const urls = { mcp: localUrl(ports.mcp), api: localUrl(ports.api), issuer: localIssuer(ports.idp) };
  const portOfWorker: Record<string, number> = { [mcpServer.workerName]: ports.mcp, [todosApi.workerName]: ports.api };
  const stateDir = path.resolve(options.stateDir ?? path.join(repoRoot, '.state'));
  const persist = options.persist ?? true;
  const bundleCacheDir = path.resolve(options.bundleCacheDir ?? path.join(stateDir, 'bundles'));

  const discovered = await discoverWorkers(path.join(repoRoot, 'workers'));
  const unknown = discovered.filter((w) => portOfWorker[w.name] === undefined);
  for (const w of unknown) log(`[stack] skipping Worker ${w.name}: system/system.ts gives it no local port`);
  const runnable = discovered.filter((w) => portOfWorker[w.name] !== undefined);

  await ensurePortsFree([
    { port: ports.idp, service: 'local IdP' },
    ...runnable.map((w) => ({ port: portOfWorker[w.name] as number, service: `Worker ${w.name}` })),
    ...(options.inspectorPort === undefined ? [] : [{ port: options.inspectorPort, service: 'workerd inspector' }]),
  ]);

  // Without persistence, data goes to a temp folder; bundles stay cached in stateDir either way (they are not data).
  const dataDir = persist ? stateDir : await mkdtemp(path.join(os.tmpdir(), 'local-stack-'));
  const idpOptions = {
    port: ports.idp,
    stateDir: path.join(dataDir, 'idp'),
    mcpServerUrl: urls.mcp,
    host: localHost,
    ...(options.idp?.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.idp.accessTokenTtlSeconds } : {}),
    ...(options.userPermissions ? { userPermissions: options.userPermissions } : {}),
  };

  let idp: LocalIdp | undefined;
  let mf: Miniflare | undefined;
  let stopped = false;
  const cleanup = async (): Promise<void> => {
    await Promise.allSettled([mf?.dispose(), idp?.close()]);
    mf = undefined;
    idp = undefined;
    if (!persist) await rm(dataDir, { recursive: true, force: true });
  };

  try {
    // On a cache miss the Workers are bundled by esbuild in this process (its plugins run on this thread), described
    // by their committed local-worker.generated.json or else one wrangler process (~1.5 s of CPU). Miniflare is loaded
    // only once esbuild is done, and the IdP only once workerd is booting: module loading would otherwise stall the
    // builds. The IdP is recorded as soon as it is up so a failure still closes it.
    //
    // What the Workers need of the IdP (issuer, the MCP server's client credentials) is in its state file: read or
    // created now, its RSA key made off this thread while esbuild builds, so workerd boots (its own process) while
    // this process loads and starts the IdP itself. Both are awaited below; a failure meanwhile is not unhandled.
    const idpStateLoading = loadOrCreateLocalIdpState(idpOptions.stateDir);
    const cookieKeyLoading = loadCookieEncryptionKey(dataDir);
    for (const loading of [idpStateLoading, cookieKeyLoading]) loading.catch(() => {});
    let buildsDone: () => void = () => {};
    const bundled = new Promise<void>((resolve) => (buildsDone = resolve));
    const preparing = prepareWorkers({
      workers: runnable.map((w) => ({ workerDir: w.workerDir, cacheDir: path.join(bundleCacheDir, w.name) })),
      repoRoot,
      onBundled: buildsDone,
    });
    await Promise.race([
      bundled,
      preparing.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    const [prepared, idpState, cookieEncryptionKey, miniflare] = await Promise.all([
      preparing,
      idpStateLoading,
      cookieKeyLoading,
      loadMiniflare(),
    ]);
    const idpFacts = { issuer: urls.issuer, domain: new URL(urls.issuer).host, mcpApp: idpState.mcpApp };
    for (const w of prepared) {
      log(
        `[stack] ${w.name}: ${w.fromCache ? 'cached bundle' : 'built'} ${w.bundle.sha256.slice(0, 12)} (${formatKiB(w.bundle.sizeBytes)})`,
      );
    }

    const running = new Set(prepared.map((w) => w.name));
    const workers = prepared.map((w) =>
      toMiniflareWorker(w, {
        port: portOfWorker[w.name] as number,
        vars: localWorkerVars(w.name, {
          idp: idpFacts,
          urls,
          cookieEncryptionKey,
          userPermissions: options.userPermissions ?? defaultUserPermissions,
        }),
        running,
        log,
      }),
    );
    // Migrations go through a small Worker beside them rather than Miniflare's proxy (see local-d1-access.ts).
    const d1 = prepared.flatMap((w) =>
      w.d1.map((plan) => ({ workerName: w.name, binding: plan.binding, d1Databases: w.workerOptions.d1Databases, plan })),
    );
    const d1Access = localD1Access(d1, workers[0]?.compatibilityDate);
    const miniflareOptions = (failing: ReadonlySet<string>) =>
      miniflare.convertV4MiniflareOptions({
        // Miniflare's own entry socket is unused (each Worker has its own direct socket): keep it off the known ports.
        host: '127.0.0.1',
        port: 0,
        // Only the D1 access Worker is reached through it, for migrations: not worth a log line per statement.
        logRequests: false,
        cf: false,
        ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
        log: stackLog(miniflare, log),
        handleStructuredLogs: ({ level, message }) => log(`[workerd:${level}] ${message}`),
        ...(persist ? { resourcePersistencePath: path.join(dataDir, 'workerd') } : {}),
        workers: [...(d1.length > 0 ? [d1Access.worker] : []), ...workers.map((w) => (failing.has(w.name ?? '') ? failingStandIn(w) : w))],
      });
    const failing = new Set<string>();
    const setFailing = async (name: string, fail: boolean): Promise<void> => {
      if (stopped || !mf) throw new Error('The local stack is stopped');
      if (!running.has(name)) throw new Error(`No Worker named ${name} in this stack (${[...running].join(', ')})`);
      if (failing.has(name) === fail) return;
      if (fail) failing.add(name);
      else failing.delete(name);
      await mf.setOptions(miniflareOptions(failing));
    };
    const runtime = new miniflare.Miniflare(miniflareOptions(failing));
    mf = runtime;
    const idpStarting = loadLocalIdp()
      .then(({ startLocalIdp }) => startLocalIdp(idpOptions))
      .then((started) => (idp = started));
    const [workerd] = await Promise.allSettled([
      runtime.ready.catch((error: unknown) => {
        throw new Error(`workerd could not start the Workers (${[...running].join(', ')}): ${(error as Error).message}`, { cause: error });
      }),
      idpStarting,
    ]);
    if (workerd.status === 'rejected') throw workerd.reason;
    await idpStarting;

    // Each Worker has its own databases (worker-description.test.ts checks it), so they are migrated side by side.
    const migrated = await Promise.all(
      d1.map(async ({ workerName, binding, plan }) => ({
        workerName,
        applied: await applyD1Migrations(d1Access.database(runtime, workerName, binding), plan),
      })),
    );
    for (const { workerName, applied } of migrated) {
      if (applied.length > 0) log(`[stack] ${workerName}: applied D1 migrations ${applied.join(', ')}`);
    }

    return {
      urls,
      get idp(): LocalIdp {
        if (!idp) throw new Error('The local IdP is stopped (stopIdp() was called without startIdp())');
        return idp;
      },
      workers: prepared.map((w) => ({
        name: w.name,
        url: localUrl(portOfWorker[w.name] as number),
        bundleSha256: w.bundle.sha256,
        fromCache: w.fromCache,
      })),
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
      async stopIdp() {
        const running = idp;
        idp = undefined;
        await running?.close();
      },
      async startIdp() {
        if (stopped) throw new Error('The local stack is stopped');
        if (idp) return;
        await ensurePortsFree([{ port: ports.idp, service: 'local IdP' }]);
        idp = await (await loadLocalIdp()).startLocalIdp(idpOptions);
      },
      failWorker: (name) => setFailing(name, true),
      restoreWorker: (name) => setFailing(name, false),
      async runScheduled(name, cron) {
        if (stopped || !mf) throw new Error('The local stack is stopped');
        if (!running.has(name)) throw new Error(`No Worker named ${name} in this stack (${[...running].join(', ')})`);
        const worker = await mf.getWorker(name);
        const result = await worker.scheduled({ cron, scheduledTime: new Date() });
        if (result.outcome !== 'ok') throw new Error(`${name}: scheduled handler for "${cron}" ended with ${result.outcome}`);
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

interface MiniflareWorkerContext {
  port: number;
  vars: Record<string, string>;
  /** Names of the Workers in this stack: a service binding to any other Worker cannot be served. */
  running: ReadonlySet<string>;
  log: (line: string) => void;
}

function toMiniflareWorker(worker: PreparedWorker, { port, vars, running, log }: MiniflareWorkerContext): V4WorkerOptions {
  const { bundle, workerOptions } = worker;
  // A Worker written before the one it binds to (e.g. the MCP server before the Todos API exists) still starts;
  // calls through the missing binding fail inside the Worker instead of workerd refusing the whole config.
  const serviceBindings = Object.fromEntries(
    Object.entries(workerOptions.serviceBindings ?? {}).filter(([binding, target]) => {
      const name = typeof target === 'string' ? target : (target as { name?: unknown }).name;
      if (typeof name !== 'string' || running.has(name)) return true;
      log(`[stack] ${worker.name}: service binding ${binding} -> ${name} left out (${name} is not running)`);
      return false;
    }),
  );
  return {
    ...workerOptions,
    name: worker.name,
    ...bundleModules(bundle),
    compatibilityFlags: (workerOptions.compatibilityFlags ?? []).filter((flag) => !LOCAL_MODE_FORBIDDEN_FLAGS.has(flag)),
    bindings: { ...(workerOptions.bindings ?? {}), ...vars },
    serviceBindings,
    unsafeDirectSockets: [{ host: localHost, port }],
  };
}

/**
 * A Worker with the same name and socket whose every request throws: what callers see of a crashing deploy
 * (a 500 on its port; a failed call through a service binding). No bindings, so it touches no data.
 */
function failingStandIn(worker: V4WorkerOptions): V4WorkerOptions {
  return {
    name: worker.name,
    compatibilityDate: worker.compatibilityDate,
    modules: [
      {
        type: 'ESModule',
        path: 'failing-stand-in.mjs',
        contents: `export default { fetch() { throw new Error(${JSON.stringify(`${worker.name} is failing (fault injected by the local stack)`)}); } };`,
      },
    ],
    unsafeDirectSockets: worker.unsafeDirectSockets,
  };
}

/** A wrangler-built bundle as Miniflare modules: the entry module first, then any extra modules (wasm, text, chunks). */
export function bundleModules(bundle: WorkerBundle): { modules: V4ModuleDefinition[]; modulesRoot: string } {
  const ordered = [bundle.mainModule, ...bundle.files.filter((f) => f !== bundle.mainModule)];
  return { modules: ordered.map((file) => ({ type: moduleType(file), path: path.join(bundle.outDir, file) })), modulesRoot: bundle.outDir };
}

function moduleType(file: string): V4ModuleDefinition['type'] {
  if (/\.m?js$/.test(file)) return 'ESModule';
  if (/\.cjs$/.test(file)) return 'CommonJS';
  if (/\.wasm$/.test(file)) return 'CompiledWasm';
  if (/\.(txt|html|sql)$/.test(file)) return 'Text';
  return 'Data';
}

function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Routes Miniflare's own messages to the stack's log; its "Ready on <entry socket>" line would point at the wrong port. */
function stackLog(miniflare: typeof import('miniflare'), sink: (line: string) => void): InstanceType<typeof miniflare.Log> {
  class StackLog extends miniflare.Log {
    constructor() {
      super(miniflare.LogLevel.INFO);
    }
    protected override log(message: string): void {
      sink(message);
    }
    override logReady(): void {}
  }
  return new StackLog();
}
