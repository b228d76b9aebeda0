// Loads the program the way `pulumi up` does (the nodejs runner's ts-node setup, in the program directory) in a fresh
// Node 22, from two separate checkouts: what the program registers must not depend on where the repository lives.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wranglerOfflineEnv } from '../../scripts/build/wrangler-offline-env.js';
import { mcpServer, pulumiProject, todosApi } from '../../system/system.js';
import { type FakeCloudflareApi, startFakeCloudflareApi } from './support/fake-cloudflare-api.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node = path.join(root, 'node_modules', '.bin', 'node');

const ACCOUNT = '0123456789abcdef0123456789abcdef';
let cfApi: FakeCloudflareApi;
beforeAll(async () => {
  cfApi = await startFakeCloudflareApi(ACCOUNT);
});
afterAll(() => cfApi.close());
const config = () => ({
  [`${pulumiProject}:auth0Domain`]: 'example.us.auth0.com',
  [`${pulumiProject}:cloudflareAccountId`]: ACCOUNT,
  [`${pulumiProject}:workersDevSubdomain`]: 'load-test',
  'cloudflare:baseUrl': cfApi.baseUrl,
  'cloudflare:apiToken': cfApi.token,
});

type Loaded = {
  mode: string;
  skipProject: boolean;
  cwd: string;
  typescript: string;
  exports: string[];
  mcpEndpoint: string;
  resources: { type: string; name: string; inputs: Record<string, unknown> }[];
};

// Never copied into a checkout: installed or generated, as in a fresh clone.
const NOT_IN_A_CHECKOUT = new Set(['node_modules', '.git', '.bundles', '.wrangler', '.state', 'test-artifacts', 'coverage']);

/** A fresh checkout of the working tree at `dir` (the installed node_modules linked in, as `npm ci` would provide). */
async function checkout(dir: string): Promise<string> {
  await cp(root, dir, { recursive: true, filter: (src) => !NOT_IN_A_CHECKOUT.has(path.basename(src)) || src === root });
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

async function load(entry?: string, projectDir = root): Promise<Loaded> {
  const { stdout } = await promisify(execFile)(
    node,
    ['infra/test/support/runner-load.mjs', JSON.stringify(config()), ...(entry ? [entry] : [])],
    {
      cwd: projectDir,
      env: { ...process.env, ...wranglerOfflineEnv },
      timeout: 90_000,
    },
  );
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as Loaded;
}

describe('program load through the Pulumi nodejs runner', () => {
  let scratch: string;
  let laptop: Loaded;
  let ci: Loaded;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'runner-load-'));
    const [a, b] = await Promise.all([
      checkout(path.join(scratch, 'home', 'alice', 'src', 'remote-mcp')),
      checkout(path.join(scratch, 'runner', 'work', 'remote-mcp', 'remote-mcp')),
    ]);
    [laptop, ci] = await Promise.all([load(undefined, a), load(undefined, b)]);
  }, 180_000);
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('runs infra/index.ts in infra/ with the runner ts-node ESM hooks, as pulumi-language-nodejs starts it', async () => {
    const result = laptop;
    // type: module + TypeScript >= 4.7 + ts-node/esm resolvable = the runner's automatic ESM mode.
    expect(result.mode).toBe('esm');
    // The runner looks for tsconfig.json in the program directory; there is none in infra/, so ts-node's defaults.
    expect(result.cwd.endsWith(`${path.sep}infra`)).toBe(true);
    expect(result.skipProject).toBe(true);
    expect(result.typescript).toMatch(/^6\./);
    expect(result.mcpEndpoint).toBe(`https://${mcpServer.workerName}.load-test.workers.dev${mcpServer.paths.mcp}`);
    expect(result.exports).toEqual(expect.arrayContaining(['mcpEndpoint', 'sseEndpoint', 'todosApiUrl', 'claudeDesktopConfig']));
    const scripts = result.resources.filter((r) => r.type === 'cloudflare:index/workersScript:WorkersScript').map((r) => r.name);
    expect(scripts.sort()).toEqual(['mcp-server-worker-script', 'todos-api-worker-script']);
    expect(result.resources.map((r) => r.type)).toContain('auth0:index/connectionClient:ConnectionClient');
    expect(todosApi.workerName).toBe('todos-api');
  });

  it('registers identical inputs from two checkouts in different places (no absolute path reaches the state)', () => {
    expect(ci.resources.length).toBe(laptop.resources.length);
    expect(ci.resources).toEqual(laptop.resources);
    const scripts = laptop.resources.filter((r) => r.type === 'cloudflare:index/workersScript:WorkersScript');
    expect(scripts.map((s) => s.inputs.contentFile).sort()).toEqual([
      '../.bundles/pulumi/mcp-server/index.js',
      '../.bundles/pulumi/todos-api/index.js',
    ]);
    expect(JSON.stringify(laptop.resources)).not.toContain(scratch);
  });

  it('stops with the TypeScript error when a program file does not type-check (the runner checks, not only strips)', async () => {
    // Inside infra/ so the root tsconfig's include covers it, as a real program file would be.
    const dir = await mkdtemp(path.join(root, 'infra', '.runner-load-'));
    try {
      await writeFile(path.join(dir, 'bad.ts'), "const port: number = 'eight';\nexport default port;\n");
      const error = await load(path.relative(root, path.join(dir, 'bad.ts'))).catch((e: { stderr?: string }) => e);
      expect(String((error as { stderr?: string }).stderr)).toMatch(/TS2322: Type 'string' is not assignable to type 'number'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
