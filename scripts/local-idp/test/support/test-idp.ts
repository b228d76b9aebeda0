// Starts a throw-away local IdP (temp state folder) for one test file.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalIdp, type LocalIdp, type LocalIdpOptions } from '../../start-local-idp.js';

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

export async function startTestIdp(
  port: number,
  options: Partial<Omit<LocalIdpOptions, 'port'>> = {},
): Promise<TestIdp> {
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
