// Control for the tool-call ratio: what the MCP SDK alone (official client and server, no OAuth, no I/O) adds per call.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { prepareWorker } from '../scripts/stack/prepare-worker.js';
import { CALL_TIMEOUT_MS } from './measure-mcp-calls.js';
import { since, summarize, type LatencySummary } from './stats.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const workerDir = path.join(repoRoot, 'bench', 'mcp-sdk-floor');
/** Away from the bench stack's ports, the memory control's and the dev ports. */
const FLOOR_PORT = 38792;

export interface McpSdkFloor {
  /** `GET /noop` on the control Worker: a bare HTTP round trip to workerd. */
  noop: LatencySummary;
  /** `tools/call` of a trivial tool through the official client, stateless /mcp as the real server runs it. */
  toolCall: LatencySummary;
}

/** Alternating `noop` and tool call, `pairs` times after a warm-up, in a workerd of its own. */
export async function measureMcpSdkFloor(options: { pairs: number; bundleCacheDir: string }): Promise<McpSdkFloor> {
  const prepared = await prepareWorker({ workerDir, cacheDir: path.join(options.bundleCacheDir, 'mcp-sdk-floor'), repoRoot });
  const { bundle } = prepared;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
      workers: [
        {
          name: prepared.name,
          compatibilityDate: prepared.workerOptions.compatibilityDate,
          compatibilityFlags: prepared.workerOptions.compatibilityFlags,
          modulesRoot: bundle.outDir,
          modules: [bundle.mainModule, ...bundle.files.filter((f) => f !== bundle.mainModule)].map((file) => ({
            type: 'ESModule' as const,
            path: path.join(bundle.outDir, file),
          })),
          unsafeDirectSockets: [{ host: '127.0.0.1', port: FLOOR_PORT }],
        },
      ],
    }),
  );
  const client = new Client({ name: 'bench-sdk-floor', version: '1.0.0' });
  try {
    await mf.ready;
    const base = `http://127.0.0.1:${FLOOR_PORT}`;
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    const noop = async (): Promise<void> => {
      const response = await fetch(`${base}/noop`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      await response.arrayBuffer();
    };
    const call = async (): Promise<void> => {
      const result = await client.callTool({ name: 'list-todos', arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS });
      if (result.isError) throw new Error('the control tool failed');
    };
    for (let i = 0; i < 50; i++) {
      await noop();
      await call();
    }
    const noopSamples: number[] = [];
    const callSamples: number[] = [];
    for (let i = 0; i < options.pairs; i++) {
      let start = performance.now();
      await noop();
      noopSamples.push(since(start));
      start = performance.now();
      await call();
      callSamples.push(since(start));
    }
    return { noop: summarize(noopSamples), toolCall: summarize(callSamples) };
  } finally {
    await client.close().catch(() => undefined);
    await mf.dispose();
  }
}
