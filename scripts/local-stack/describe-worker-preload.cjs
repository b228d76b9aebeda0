// Loaded (`node --require`) into the wrangler process that builds a Worker for the local stack. When that process ends
// after a successful build, it asks the wrangler already in memory how it would run the Worker locally (bindings,
// Durable Objects, KV, D1, compatibility) and writes the answer as JSON: the local stack then never loads wrangler itself
// (about 2 s of CPU on a first run). Plain CommonJS because it runs in wrangler's own Node process, outside tsx.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const configPath = process.env.LOCAL_STACK_DESCRIBE_CONFIG;
const outFile = process.env.LOCAL_STACK_DESCRIBE_OUT;

/** The Worker as Miniflare options (without code), its D1 migration plans, and its name. Synchronous: runs on exit. */
function describeWorker(wrangler) {
  const config = wrangler.unstable_readConfig({ config: configPath });
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config);
  if (!config.name) throw new Error(`${configPath} has no "name"`);
  // wrangler also fills declared secrets from process.env and .dev.vars: keep only wrangler.jsonc's own `vars`, so no
  // secret from the developer's shell is written out or cached; the stack sets secrets itself (local-worker-vars.ts).
  const declaredVars = new Set(Object.keys(config.vars ?? {}));
  workerOptions.bindings = Object.fromEntries(Object.entries(workerOptions.bindings ?? {}).filter(([name]) => declaredVars.has(name)));

  const workerDir = path.dirname(configPath);
  const d1 = (config.d1_databases ?? []).map((db) => {
    const dir = path.resolve(workerDir, db.migrations_dir ?? 'migrations');
    const names = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((file) => file.endsWith('.sql'))
          .sort()
      : [];
    return {
      binding: db.binding,
      migrationsTable: db.migrations_table ?? 'd1_migrations',
      migrations: names.map((name) => ({
        name,
        statements: wrangler.unstable_splitSqlQuery(fs.readFileSync(path.join(dir, name), 'utf8')).filter((s) => s.trim() !== ''),
      })),
    };
  });
  return { name: config.name, workerOptions, d1 };
}

if (configPath && outFile) {
  process.on('exit', (code) => {
    if (code !== 0) return; // the build failed: the caller reports wrangler's error
    let result;
    // wrangler warns that secrets are missing from .dev.vars: the stack passes them as bindings, so only errors matter.
    process.env.WRANGLER_LOG = 'error';
    try {
      // The main module (wrangler's cli.js) is in require's cache: this returns its exports without loading it again.
      result = { ok: true, ...describeWorker(require(process.argv[1])) };
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    fs.writeFileSync(outFile, JSON.stringify(result));
  });
}
