// What the benchmarks run against: a stack this run starts on its own ports, or an already running `npm run dev`.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientCredentials, readLocalIdpState } from '../scripts/local-idp/local-idp-state.js';
import { localUsers } from '../scripts/local-idp/local-users.js';
import { startLocalStack } from '../scripts/local-stack/start-local-stack.js';
import { localIdp, localIssuer, localUrl, mcpServer, todosApi } from '../system/system.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** Ports of the bench's own stack: away from `npm run dev` (8788–8790) and the e2e test files. */
export const benchPorts = { mcp: 38788, api: 38789, idp: 38790 } as const;
/** The control Worker's port (bench/control-worker.ts), next to the stack's. */
export const benchControlPort = 38791;
/** workerd's V8 inspector of the bench's own stack (live-heap snapshots). */
export const benchInspectorPort = 38792;

/** Bundles depend only on sources: the bench keeps its own warm cache (git-ignored like the e2e one). */
export const benchBundleCacheDir = path.join(repoRoot, '.bundles', 'bench-cache');

export interface BenchTarget {
  urls: { mcp: string; api: string; issuer: string };
  mcpApp: ClientCredentials;
  user: { username: string; password: string };
  /** Whether workerd belongs to this process (memory is then read from its own children only). */
  ownStack: boolean;
  /** Milliseconds from the start call until every port answered (own stack only). */
  readyMs?: number;
  /** workerd's inspector port (own stack only): heap snapshots of each Worker. */
  inspectorPort?: number;
  stop(): Promise<void>;
}

function alice(users: ReadonlyArray<{ email: string; password: string }>): { username: string; password: string } {
  const found = users.find((u) => u.email.startsWith('alice'));
  if (!found) throw new Error(`no alice among the local users: ${users.map((u) => u.email).join(', ')}`);
  return { username: found.email, password: found.password };
}

/**
 * Wait until each URL answers HTTP at all (any status): "ready" as a user sees it. Bounded by `timeoutMs`.
 */
export async function waitForPorts(urls: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

/** Start a stack with a fresh temp state folder; returns when every port answers. */
export async function startBenchStack(options: { bundleCacheDir: string; log: (line: string) => void }): Promise<BenchTarget> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'bench-stack-'));
  const started = performance.now();
  try {
    const stack = await startLocalStack({
      ports: benchPorts,
      stateDir,
      bundleCacheDir: options.bundleCacheDir,
      persist: false,
      log: options.log,
      inspectorPort: benchInspectorPort,
    });
    try {
      await waitForPorts([stack.urls.mcp, stack.urls.api, new URL('.well-known/openid-configuration', stack.urls.issuer).href]);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    const readyMs = performance.now() - started;
    return {
      urls: stack.urls,
      mcpApp: stack.idp.mcpApp,
      user: alice(stack.idp.users),
      ownStack: true,
      readyMs,
      inspectorPort: benchInspectorPort,
      async stop() {
        await stack.stop();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** Use the `npm run dev` stack on the dev ports; its IdP client secret is read from `<stateDir>/idp`. */
export async function useRunningStack(stateDir = path.join(repoRoot, '.state')): Promise<BenchTarget> {
  const state = await readLocalIdpState(path.join(stateDir, 'idp'));
  if (!state) throw new Error(`--use-running: no local IdP state in ${path.join(stateDir, 'idp')} (is \`npm run dev\` running?)`);
  const urls = { mcp: localUrl(mcpServer.devPort), api: localUrl(todosApi.devPort), issuer: localIssuer(localIdp.port) };
  await waitForPorts([urls.mcp, urls.api, urls.issuer], 5_000);
  return { urls, mcpApp: state.mcpApp, user: alice(localUsers), ownStack: false, async stop() {} };
}
