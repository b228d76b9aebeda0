// Loads infra/index.ts the way `pulumi up`'s nodejs runner does (cmd/run/run.js: its ts-node options), under mocks.
// Like the runner it works in the program directory: pulumi-language-nodejs passes `--pwd <dir of main>` and run.js
// chdirs there, so tsconfig.json is looked up in infra/ (absent: ts-node's defaults, skipProject) and relative paths
// resolve from infra/ (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go constructArguments, run.ts).
// Plain JavaScript on purpose: nothing may compile the program before the runner's own TypeScript setup does.
// Usage (from the project root): node infra/test/support/runner-load.mjs '<config json>' [entry, default: Pulumi.yaml main]
//   -> prints one JSON line with what was registered (type, name, inputs with secrets unwrapped).
import fs from 'node:fs';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import url from 'node:url';
import { inspect } from 'node:util';
import { parse as parseYaml } from 'yaml';

const require = createRequire(import.meta.url);
const runDir = path.dirname(require.resolve('@pulumi/pulumi/cmd/run/run.js'));
const pulumi = require('@pulumi/pulumi');
const tsutils = require('@pulumi/pulumi/tsutils.js');
const semver = require(require.resolve('semver', { paths: [runDir] }));

// Pulumi's wire marker for secrets: unwrap so two runs can be compared value by value.
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
const plain = (value) => {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    if (value['4dabf18193072939515e22adb298388d'] === SECRET_SIG) return plain(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
};

const project = parseYaml(fs.readFileSync('Pulumi.yaml', 'utf8'));
const resources = [];
await pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      resources.push({ type: args.type, name: args.name, inputs: plain(args.inputs) });
      const state = { ...args.inputs };
      if (args.type === 'auth0:index/client:Client') state.clientId = `id-${args.name}`;
      if (args.type === 'cloudflare:index/d1Database:D1Database') state.uuid = '11111111-2222-3333-4444-555555555555';
      return { id: `${args.name}-id`, state };
    },
    call: (args) => (args.token === 'auth0:index/getConnection:getConnection' ? { id: 'con_1', name: args.inputs.name } : {}),
  },
  // The project name, as the CLI takes it from Pulumi.yaml.
  project.name,
  'load',
  true,
);
pulumi.runtime.setAllConfig(JSON.parse(process.argv[2] ?? '{}'));

// The entry as the engine passes it (getPwdMain): pwd = dir of main, program = its base name.
const entry = path.resolve(process.argv[3] ?? project.main);
process.chdir(path.dirname(entry));

// --- Mirrors run.js (PULUMI_NODEJS_TYPESCRIPT=true, as Pulumi.yaml's `typescript: true` sets) ---
const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? 'tsconfig.json';
const skipProject = !fs.existsSync(tsConfigPath);
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
const transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY
  ? process.env.PULUMI_NODEJS_TRANSPILE_ONLY === 'true'
  : compilerOptions.noCheck;
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const options = { compiler: typescriptRequire, transpileOnly, project: tsConfigPath, skipProject, compilerOptions: {} };
// run.js: npmPackageRootFromProgramPath, the nearest package.json above the program.
let packageRoot = path.dirname(entry);
while (!fs.existsSync(path.join(packageRoot, 'package.json'))) packageRoot = path.dirname(packageRoot);
const packageObject = require(path.join(packageRoot, 'package.json'));
const ts = require(typescriptRequire);
let tsNodeESM = '';
try {
  tsNodeESM = require.resolve('ts-node/esm', { paths: [runDir] });
} catch {
  // Same fallback as run.js: the vendored ts-node 7 (CommonJS only).
}
let mode;
if (packageObject.type === 'module' && semver.parse(ts.version).compare('4.7.0') > 0 && tsNodeESM) {
  mode = 'esm';
  options.compilerOptions = { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', sourceMap: 'true', ...compilerOptions };
  register('./hooks.js', url.pathToFileURL(path.join(runDir, 'run.js')), { data: options });
} else {
  mode = 'cjs';
  options.compilerOptions = { target: 'ES2020', module: 'nodenext', moduleResolution: 'nodenext', sourceMap: 'true', ...compilerOptions };
  require(tsnodeRequire).register(options);
}

// Pulumi.yaml `main: infra/index.ts`; type: module -> the runner imports it.
let exports;
try {
  exports = await import(url.pathToFileURL(entry).href);
} catch (error) {
  // ts-node's TSError crosses the loader thread as a prototype-less object: inspect it. The runner logs it and exits 1.
  console.error(`program failed to load: ${inspect(error)}`);
  process.exit(1);
}
const mcpEndpoint = await new Promise((resolve) => exports.mcpEndpoint.apply(resolve));
await new Promise((r) => setTimeout(r, 50));
console.log(
  JSON.stringify({
    mode,
    skipProject,
    cwd: process.cwd(),
    typescript: ts.version,
    exports: Object.keys(exports).sort(),
    mcpEndpoint,
    resources,
  }),
);
