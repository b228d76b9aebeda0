// Builds a Worker's main module with esbuild's JS API, byte for byte as `wrangler deploy --dry-run` would, without
// loading wrangler (its 15 MB cli.js costs ~2 s of CPU per process). For the local stack only: Pulumi deploys what
// wrangler itself builds (bundle-worker.ts). test/esbuild-worker.test.ts compares both outputs for every Worker, so a
// drift (an esbuild or wrangler upgrade, a dependency that needs another polyfill, a new wrangler.jsonc option) fails.
//
// Mirrors wrangler 4.x's deploy build (src/deployment-bundle/bundle.ts `bundleWorker` with targetConsumer "deploy",
// and its esbuild plugins): only the options and plugins that matter for this repository's Workers. Config fields that
// would change the build and are not mirrored here are refused with a clear error instead of silently ignored.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BuildOptions, Plugin, PluginBuild } from 'esbuild';
import { parse as parseJsonc } from 'jsonc-parser';
import { buildThenSwapIn, describeBuiltBundle, type WorkerBundle, WorkerBundleError } from './bundle-worker.js';
import { findToolRoot } from './run-wrangler.js';

export interface EsbuildWorkerOptions {
  /** Folder of the Worker, holding `wrangler.jsonc`. */
  workerDir: string;
  /** Where to put the built files; replaced as a whole on every build (like bundleWorker's `outDir`). */
  outDir: string;
}

/** The wrangler.jsonc fields that decide how wrangler bundles a Worker. */
interface BuildConfig {
  main?: unknown;
  compatibility_date?: unknown;
  compatibility_flags?: unknown;
}

// Fields wrangler reads when it bundles; none is mirrored below, so a config using one must go through wrangler.
const UNMIRRORED_BUILD_FIELDS = [
  'alias',
  'base_dir',
  'build',
  'define',
  'find_additional_modules',
  'jsx_factory',
  'jsx_fragment',
  'keep_names',
  'minify',
  'no_bundle',
  'node_compat',
  'preserve_file_names',
  'rules',
  'tsconfig',
];

// Imports wrangler would not bundle but upload as extra modules (its default module rules): refused, see below.
const EXTRA_MODULE_RE = /\.(?:txt|html|sql|bin|wasm)(?:\?module)?$/;

/** Build the Worker in `workerDir` the way `wrangler deploy --dry-run --outdir` does, and describe the result. */
export async function esbuildWorker(options: EsbuildWorkerOptions): Promise<WorkerBundle> {
  const workerDir = path.resolve(options.workerDir);
  const configPath = path.join(workerDir, 'wrangler.jsonc');
  if (!existsSync(configPath)) throw new WorkerBundleError(`No wrangler.jsonc in ${workerDir}`);
  const config = parseJsonc(await readFile(configPath, 'utf8')) as BuildConfig & Record<string, unknown>;
  const unmirrored = UNMIRRORED_BUILD_FIELDS.filter((field) => config[field] !== undefined);
  if (unmirrored.length > 0) {
    throw new WorkerBundleError(`${configPath} sets ${unmirrored.join(', ')}: esbuildWorker does not mirror that; use bundleWorker`);
  }
  if (typeof config.main !== 'string') throw new WorkerBundleError(`"main" in ${configPath} is not a string`);
  const compatibilityDate = typeof config.compatibility_date === 'string' ? config.compatibility_date : undefined;
  if (!compatibilityDate) throw new WorkerBundleError(`${configPath} has no "compatibility_date"`);
  const compatibilityFlags = Array.isArray(config.compatibility_flags) ? config.compatibility_flags.map(String) : [];

  const toolRoot = findToolRoot([workerDir, process.cwd()]);
  const outDir = path.resolve(options.outDir);
  const entryFile = path.resolve(workerDir, config.main);
  // Like bundleWorker: a failed build keeps the previous bundle.
  await buildThenSwapIn(outDir, async (buildDir) => {
    const esbuild = await import('esbuild');
    // Build into buildDir but name outDir as the source root, as wrangler names its --outdir (only the .map shows it).
    const buildOptions = await deployBuildOptions({
      toolRoot,
      workerDir,
      entryFile,
      outDir: buildDir,
      sourceRoot: outDir,
      compatibilityDate,
      compatibilityFlags,
    });
    const result = await esbuild.build(buildOptions).catch((error: unknown) => {
      throw new WorkerBundleError(`esbuild could not build the Worker in ${workerDir}:\n${(error as Error).message}`, { cause: error });
    });
    if (result.errors.length > 0) {
      throw new WorkerBundleError(`esbuild could not build the Worker in ${workerDir}:\n${result.errors.map((e) => e.text).join('\n')}`);
    }
  });
  return describeBuiltBundle(workerDir, outDir, configPath);
}

interface DeployBuildInputs {
  toolRoot: string;
  workerDir: string;
  entryFile: string;
  outDir: string;
  sourceRoot: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
}

/** esbuild options equal to the ones wrangler's deploy build passes for a modules-format Worker. */
async function deployBuildOptions(inputs: DeployBuildInputs): Promise<BuildOptions> {
  const { toolRoot, workerDir, entryFile, compatibilityDate, compatibilityFlags } = inputs;
  // wrangler substitutes NODE_ENV from its own environment, "production" for deploy when unset.
  const nodeEnv = JSON.stringify(process.env.NODE_ENV || 'production');
  const platform = process.env.WRANGLER_BUILD_PLATFORM;
  if (platform !== undefined && !['browser', 'node', 'neutral'].includes(platform)) {
    throw new WorkerBundleError(`WRANGLER_BUILD_PLATFORM must be browser, node or neutral, got "${platform}"`);
  }
  const nodeCompat = nodeCompatMode(compatibilityDate, compatibilityFlags);
  return {
    entryPoints: [entryFile],
    bundle: true,
    // wrangler's project root: the folder of the config file.
    absWorkingDir: workerDir,
    keepNames: true,
    outdir: inputs.outDir,
    entryNames: path.parse(entryFile).name,
    inject: [],
    external: ['__STATIC_CONTENT_MANIFEST'],
    format: 'esm',
    // wrangler's COMMON_ESBUILD_OPTIONS: what workerd's V8 runs natively.
    target: 'es2024',
    supported: { 'import-source': true, using: true },
    loader: { '.js': 'jsx', '.mjs': 'jsx', '.cjs': 'jsx' },
    sourcemap: true,
    sourceRoot: inputs.sourceRoot,
    metafile: true,
    conditions: process.env.WRANGLER_BUILD_CONDITIONS?.split(',') ?? ['workerd', 'worker', 'browser'],
    ...(platform ? { platform: platform as BuildOptions['platform'] } : {}),
    define: {
      ...(navigatorDefined(compatibilityDate, compatibilityFlags) ? { 'navigator.userAgent': '"Cloudflare-Workers"' } : {}),
      'process.env.NODE_ENV': nodeEnv,
      'global.process.env.NODE_ENV': nodeEnv,
      'globalThis.process.env.NODE_ENV': nodeEnv,
    },
    plugins: [
      extraModulesGuard,
      nodeCompat === 'v2' ? hybridNodeCompatPlugin(toolRoot, compatibilityDate, compatibilityFlags) : nodeBuiltinsExternalPlugin,
      cloudflareImportsPlugin,
    ],
    logLevel: 'silent',
  };
}

// wrangler's mode for Node.js built-ins: "v2" (unenv polyfills, `nodejs_compat` from 2024-09-23) or none. The
// other modes (v1, als, nodejs_compat_v2 flag, no_nodejs_compat_v2) are not mirrored.
function nodeCompatMode(date: string, flags: string[]): 'v2' | null {
  const nodeFlags = flags.filter((f) => /nodejs_(?:compat|als)/.test(f));
  if (nodeFlags.length === 0) return null;
  if (nodeFlags.length === 1 && nodeFlags[0] === 'nodejs_compat' && date >= '2024-09-23') return 'v2';
  throw new WorkerBundleError(
    `esbuildWorker does not mirror wrangler's Node.js mode for flags [${nodeFlags.join(', ')}]; use bundleWorker`,
  );
}

// wrangler defines navigator.userAgent when workerd provides `navigator` (compat date 2022-03-21 or the flags).
function navigatorDefined(date: string, flags: string[]): boolean {
  if (flags.includes('global_navigator')) return true;
  if (flags.includes('no_global_navigator')) return false;
  return date >= '2022-03-21';
}

// wrangler uploads imports matching its module rules (text, data, wasm) as separate modules, and we mirror none of
// that: such an import must go through bundleWorker, not be bundled differently.
const extraModulesGuard: Plugin = {
  name: 'extra-modules-guard',
  setup(build) {
    build.onResolve({ filter: EXTRA_MODULE_RE }, (args) => ({
      errors: [{ text: `${args.path} would be an extra module under wrangler's module rules: esbuildWorker does not mirror that` }],
    }));
  },
};

// cloudflare:* modules are provided by workerd.
const cloudflareImportsPlugin: Plugin = {
  name: 'cloudflare-imports',
  setup(build) {
    build.onResolve({ filter: /^cloudflare:.*/ }, () => ({ external: true }));
  },
};

// Without nodejs_compat, wrangler leaves a `node:*` import that does not resolve on disk to the runtime (and warns).
const nodeBuiltinsExternalPlugin: Plugin = {
  name: 'node-builtins-external',
  setup(build) {
    const seen = new Set<string>();
    build.onResolve({ filter: /node:.*/ }, async ({ path: specifier, kind, resolveDir, importer }) => {
      // esbuild calls this hook again from build.resolve below: answer that inner call with "not handled".
      const key = `${specifier}:${kind}:${resolveDir}:${importer}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      const result = await build.resolve(specifier, { kind, resolveDir, importer });
      return result.errors.length > 0 ? { external: true } : result;
    });
  },
};

// The virtual modules that set Node.js globals (process, Buffer, …) are named under wrangler's package folder; the
// name appears in the bundle's comments, so it must be the same.
const VIRTUAL_GLOBALS_RE = /_virtual_unenv_global_polyfill-(.+)$/;

/** wrangler's "hybrid" nodejs_compat: unenv with Cloudflare's preset for this compatibility date and flags. */
function hybridNodeCompatPlugin(toolRoot: string, compatibilityDate: string, compatibilityFlags: string[]): Plugin {
  const wranglerDir = path.join(toolRoot, 'node_modules', 'wrangler');
  // Resolve like wrangler's own `require.resolve` (from its cli.js), so the same files are picked.
  const wranglerRequire = createRequire(path.join(wranglerDir, 'wrangler-dist', 'cli.js'));
  return {
    name: 'hybrid-nodejs-compat',
    async setup(build) {
      const { defineEnv } = await import('unenv');
      const { getCloudflarePreset, nonPrefixedNodeModules } = await import('@cloudflare/unenv-preset');
      const { alias, inject, external, polyfill } = defineEnv({
        presets: [
          getCloudflarePreset({ compatibilityDate, compatibilityFlags }),
          // wrangler keeps the real `debug` package rather than unenv's no-op stub.
          { alias: { debug: 'debug' } },
        ],
        npmShims: true,
      }).env;
      const builtinRe = new RegExp(`^(${nonPrefixedNodeModules.join('|')}|node:.+)$`);
      requireBuiltinsAsEsm(build, builtinRe);
      aliasToUnenv(build, wranglerRequire, alias, external);
      injectNodeGlobals(build, wranglerDir, wranglerRequire, inject, polyfill);
    },
  };
}

// `require('node:x')` in ESM output: turn it into an import whose default export is the CommonJS value.
function requireBuiltinsAsEsm(build: PluginBuild, builtinRe: RegExp): void {
  const namespace = 'node-built-in-modules';
  build.onResolve({ filter: builtinRe }, (args) => (args.kind === 'require-call' ? { path: args.path, namespace } : undefined));
  build.onLoad({ filter: /.*/, namespace }, ({ path: specifier }) => ({
    contents: `import libDefault from '${specifier}';\nmodule.exports = libDefault;`,
    loader: 'js',
  }));
}

// Node built-ins (and some npm packages) resolve to unenv's or Cloudflare's implementations; workerd's own ones stay external.
function aliasToUnenv(
  build: PluginBuild,
  wranglerRequire: NodeJS.Require,
  alias: Readonly<Record<string, string>>,
  external: readonly string[],
): void {
  const resolved: Record<string, string> = {};
  for (const [specifier, target] of Object.entries(alias)) {
    try {
      resolved[specifier] = wranglerRequire.resolve(target);
    } catch {
      // wrangler skips targets that do not resolve
    }
  }
  const namespace = 'required-unenv-alias';
  build.onResolve({ filter: new RegExp(`^(${Object.keys(resolved).join('|')})$`) }, (args) => {
    const target = alias[args.path] as string;
    if (args.kind === 'require-call' && (target.startsWith('unenv/npm/') || target.startsWith('unenv/mock/'))) {
      return { path: args.path, namespace };
    }
    return { path: resolved[args.path] as string, external: external.includes(target) };
  });
  // `require()` of an ESM shim: hand back its default export with the named exports on it.
  build.onLoad({ filter: /.*/, namespace }, ({ path: specifier }) => ({
    contents: [
      `import * as esm from '${specifier}';`,
      `module.exports = Object.entries(esm)`,
      `  .filter(([k,]) => k !== 'default')`,
      `  .reduce((cjs, [k, value]) => Object.defineProperty(cjs, k, { value, enumerable: true }), "default" in esm ? esm.default : {});`,
    ].join('\n'),
    loader: 'js',
  }));
}

type InjectSpec = string | readonly string[];

// Node globals (process, Buffer, global, …): one injected virtual module per source module assigns them on globalThis,
// then the preset's polyfill modules are injected as they are.
function injectNodeGlobals(
  build: PluginBuild,
  wranglerDir: string,
  wranglerRequire: NodeJS.Require,
  inject: Record<string, InjectSpec>,
  polyfill: readonly string[],
): void {
  const prefix = path.resolve(wranglerDir, '_virtual_unenv_global_polyfill-');
  const byModule = new Map<string, Array<{ injectedName: string; exportName: string; importName: string }>>();
  const moduleOfVirtualPath = new Map<string, string>();
  for (const [injectedName, spec] of Object.entries(inject)) {
    const [source, exportName, importName] = Array.isArray(spec)
      ? [spec[0] as string, spec[1] as string, spec[1] as string]
      : [spec as string, 'default', 'defaultExport'];
    let list = byModule.get(source);
    if (!list) {
      list = [];
      byModule.set(source, list);
      moduleOfVirtualPath.set(prefix + source.replaceAll('/', '-'), source);
    }
    list.push({ injectedName, exportName, importName });
  }
  build.initialOptions.inject = [
    ...(build.initialOptions.inject ?? []),
    ...moduleOfVirtualPath.keys(),
    ...polyfill.map((m) => wranglerRequire.resolve(m)),
  ];
  build.onResolve({ filter: VIRTUAL_GLOBALS_RE }, ({ path: virtualPath }) => ({ path: virtualPath }));
  build.onLoad({ filter: VIRTUAL_GLOBALS_RE }, ({ path: virtualPath }) => {
    const source = moduleOfVirtualPath.get(virtualPath);
    const injects = source === undefined ? undefined : byModule.get(source);
    if (!source || !injects) throw new Error(`No Node.js globals are injected from ${virtualPath}`);
    const names = injects.map(({ exportName, importName }) => (importName === exportName ? exportName : `${exportName} as ${importName}`));
    return {
      contents: [
        `import { ${names.join(', ')} } from "${source}";`,
        ...injects.map(({ injectedName, importName }) => `globalThis.${injectedName} = ${importName};`),
      ].join('\n'),
    };
  });
}
