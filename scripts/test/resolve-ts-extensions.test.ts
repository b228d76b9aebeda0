// `npm run dev` runs on Node's own type stripping plus scripts/resolve-ts-extensions.ts: the whole local stack must
// load that way (a parameter property or a type imported without `type` would fail only there), and the hook must
// map `.js` imports to `.ts` sources and nothing else.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const hook = path.join(repoRoot, 'scripts', 'resolve-ts-extensions.ts');

/** Node as `npm run dev` starts it: this Node (the pinned node@22), the hook, no compiler and no inherited options. */
function runNode(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', hook, ...args], { cwd, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run dev on Node type stripping', () => {
  it('is how package.json starts the local stack', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dev).toBe('node --import ./scripts/resolve-ts-extensions.ts scripts/dev.ts');
  });

  it("loads every module of the local stack, the IdP's too, without errors or warnings", async () => {
    // dev.ts itself would start the stack; these are its imports and the one it loads later (the local IdP).
    const modules = ['system/system.ts', 'scripts/local-stack/start-local-stack.ts', 'scripts/local-idp/start-local-idp.ts'];
    const probe = `${modules.map((m) => `await import(${JSON.stringify(`./${m}`)});`).join(' ')} console.log('loaded');`;
    const result = await runNode(repoRoot, ['--input-type=module', '--eval', probe]);
    expect(result).toEqual({ code: 0, stdout: 'loaded\n', stderr: '' });
  });
});

describe('resolve-ts-extensions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'resolve-ts-'));
    const files: Record<string, string> = {
      'package.json': '{ "type": "module" }',
      'only-source.ts': "export const from: string = 'only-source.ts';",
      // When the emitted file exists it is what the import names, and it wins.
      'both.js': "export const from = 'both.js';",
      'both.ts': "export const from: string = 'both.ts';",
      'main.ts': "import { from as a } from './only-source.js';\nimport { from as b } from './both.js';\nconsole.log(a, b);",
      // Only TypeScript modules' imports are mapped: a JavaScript module naming a missing file still fails.
      'plain.js': "import './only-source.js';",
    };
    for (const [name, contents] of Object.entries(files)) await writeFile(path.join(dir, name), contents);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves a relative .js import from a .ts module to the .ts source when no .js exists', async () => {
    expect(await runNode(dir, ['main.ts'])).toEqual({ code: 0, stdout: 'only-source.ts both.js\n', stderr: '' });
  });

  it('leaves the imports of JavaScript modules alone', async () => {
    const result = await runNode(dir, ['plain.js']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ERR_MODULE_NOT_FOUND');
  });
});
