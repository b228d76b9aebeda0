// Starts a throw-away local IdP (temp state folder) for one test file.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalIdp, type LocalIdpOptions, startLocalIdp } from '../../start-local-idp.js';

/** The MCP server origin the test IdP registers `<origin>/callback` for. */
export const TEST_MCP_URL = 'http://localhost:18788';

export interface TestIdp {
  readonly idp: LocalIdp;
  readonly stateDir: string;
  /** Stop the IdP (state folder kept: a restart test can start it again). */
  stop(): Promise<void>;
  /** Stop the IdP and delete its state folder. */
  dispose(): Promise<void>;
}

export async function startTestIdp(port: number, options: Partial<Omit<LocalIdpOptions, 'port'>> = {}): Promise<TestIdp> {
  const stateDir = options.stateDir ?? (await mkdtemp(path.join(os.tmpdir(), 'local-idp-test-')));
  let idp: LocalIdp;
  try {
    idp = await startLocalIdp({ mcpServerUrl: TEST_MCP_URL, ...options, port, stateDir });
  } catch (error) {
    if (!options.stateDir) await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await idp.close();
  };
  return {
    idp,
    stateDir,
    stop,
    async dispose() {
      await stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * One test IdP for the whole file: started before its tests, disposed after them. Returns a getter, since the IdP
 * exists only once `beforeAll` has run.
 */
export function useTestIdp(port: number, options: Partial<Omit<LocalIdpOptions, 'port'>> = {}): () => TestIdp {
  let started: TestIdp | undefined;
  beforeAll(async () => {
    started = await startTestIdp(port, options);
  });
  afterAll(async () => {
    await started?.dispose();
  });
  return () => {
    if (!started) throw new Error('the test IdP is not running (use it inside a test, after beforeAll)');
    return started;
  };
}
