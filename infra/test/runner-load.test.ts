// Loads the program the way `pulumi up` does (the nodejs runner's ts-node setup + our tsconfig) in a fresh Node 22.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

async function load(entry?: string) {
  const { stdout } = await promisify(execFile)(
    node,
    ['infra/test/support/runner-load.mjs', JSON.stringify(config()), ...(entry ? [entry] : [])],
    {
      cwd: root,
      env: { ...process.env, ...wranglerOfflineEnv },
      timeout: 90_000,
    },
  );
  const last = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as {
    mode: string;
    typescript: string;
    exports: string[];
    mcpEndpoint: string;
    resources: { type: string; name: string }[];
  };
}

describe('program load through the Pulumi nodejs runner', () => {
  it('type-checks and runs infra/index.ts with the runner ts-node ESM hooks and the root tsconfig', async () => {
    const result = await load();
    // type: module + TypeScript >= 4.7 + ts-node/esm resolvable = the runner's automatic ESM mode.
    expect(result.mode).toBe('esm');
    expect(result.typescript).toMatch(/^6\./);
    expect(result.mcpEndpoint).toBe(`https://${mcpServer.workerName}.load-test.workers.dev${mcpServer.paths.mcp}`);
    expect(result.exports).toEqual(expect.arrayContaining(['mcpEndpoint', 'sseEndpoint', 'todosApiUrl', 'claudeDesktopConfig']));
    const scripts = result.resources.filter((r) => r.type === 'cloudflare:index/workersScript:WorkersScript').map((r) => r.name);
    expect(scripts.sort()).toEqual(['mcp-server-worker-script', 'todos-api-worker-script']);
    expect(result.resources.map((r) => r.type)).toContain('auth0:index/connectionClient:ConnectionClient');
    expect(todosApi.workerName).toBe('todos-api');
  }, 90_000);

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
