// `node describe-workers.cjs OUT.json CONFIG...`: asks wrangler how it would run each Worker locally (bindings, Durable
// Objects, KV, D1, compatibility) and how it splits its D1 migrations, and writes the answers as one JSON array, in
// the order of the configs, so the local stack never retypes wrangler.jsonc. One process for all Workers: loading
// wrangler (its 15 MB cli.js) costs ~1.5 s of CPU, so it is loaded once, while the parent bundles with esbuild.
// Plain CommonJS because it runs in its own Node process, outside tsx.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The Worker as Miniflare options (without code), its D1 migration plans, and its name. */
function describeWorker(wrangler, configPath) {
  const config = wrangler.unstable_readConfig({ config: configPath });
  // Declared secrets missing from the environment make wrangler format a warning with esbuild (a synchronous child
  // process, ~0.1 s): give them placeholders here; they are dropped below with every other non-`vars` binding.
  for (const name of config.secrets?.required ?? []) process.env[name] ??= 'set-by-the-local-stack';
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

const [outFile, ...configPaths] = process.argv.slice(2);
if (!outFile || configPaths.length === 0) {
  console.error('usage: node describe-workers.cjs OUT.json CONFIG...');
  process.exit(2);
}
// wrangler warns that secrets are missing from .dev.vars: the stack passes them as bindings, so only errors matter.
process.env.WRANGLER_LOG = 'error';
const wrangler = require('wrangler');
const results = configPaths.map((configPath) => {
  try {
    return { ok: true, ...describeWorker(wrangler, configPath) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
});
fs.writeFileSync(outFile, JSON.stringify(results));
