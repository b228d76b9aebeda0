// Starts the local stack for an e2e test file: its own ports and a fresh state folder, sharing one bundle cache.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../scripts/local-stack/start-local-stack.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Bundles depend only on sources, so e2e files share them (git-ignored); each file still gets fresh data.
 * E2E files run one at a time (fileParallelism: false), so they never write this cache concurrently.
 */
export const e2eBundleCacheDir = path.join(repoRoot, '.bundles', 'e2e-cache');

export interface TestStack {
  stack: LocalStack;
  /** The state folder (IdP keys, D1/KV/DO data): pass it again to `restart()` to test persistence. */
  stateDir: string;
  /** Everything the stack logged (Worker console output included), for failure messages. */
  logs: string[];
  /** Stop the stack and start it again on the same ports and state. */
  restart(): Promise<LocalStack>;
  /** Stop the stack and delete its state folder. */
  dispose(): Promise<void>;
}

export interface StartTestStackOptions {
  /** Ports on localhost, distinct per test file (e.g. 18788/18789/18790) and away from `npm run dev`'s. */
  ports: { mcp: number; api: number; idp: number };
  idp?: LocalStackOptions['idp'];
  userPermissions?: LocalStackOptions['userPermissions'];
}

export async function startTestStack(options: StartTestStackOptions): Promise<TestStack> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'local-stack-e2e-'));
  const logs: string[] = [];
  const stackOptions: LocalStackOptions = {
    ports: options.ports,
    stateDir,
    bundleCacheDir: e2eBundleCacheDir,
    log: (line) => logs.push(line),
    ...(options.idp ? { idp: options.idp } : {}),
    ...(options.userPermissions ? { userPermissions: options.userPermissions } : {}),
  };
  let stack: LocalStack;
  try {
    stack = await startLocalStack(stackOptions);
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  const handle: TestStack = {
    stack,
    stateDir,
    logs,
    async restart() {
      await handle.stack.stop();
      handle.stack = await startLocalStack(stackOptions);
      return handle.stack;
    },
    async dispose() {
      await handle.stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return handle;
}
