// Control for the tool-call ratio: what the MCP SDK (official client and server) and the OAuth provider cost per tool
// call, in a Worker with a trivial tool and no I/O (bench/mcp-floor).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { prepareWorker } from '../scripts/stack/prepare-worker.js';
import { connectMcp, DriverOAuthProvider } from '../test/helpers/mcp-oauth-driver.js';
import { CALL_TIMEOUT_MS } from './measure-mcp-calls.js';
import { since, summarize, type LatencySummary } from './stats.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const workerDir = path.join(repoRoot, 'bench', 'mcp-floor');
/** Away from the bench stack's ports, the memory control's and the dev ports. */
const FLOOR_PORT = 38792;

export interface McpFloor {
  /** `GET /noop` on the control Worker: a bare HTTP round trip to workerd. */
  noop: LatencySummary;
  /** `tools/call` of a trivial tool through the official client, stateless Streamable HTTP, no OAuth. */
  sdk: LatencySummary;
  /** The same behind workers-oauth-provider with a bearer token, set up like the real MCP server. */
  sdkAndOAuth: LatencySummary;
}

/** The three requests in turn, `rounds` times after a warm-up, in a workerd of its own. */
export async function measureMcpFloor(options: { rounds: number; bundleCacheDir: string }): Promise<McpFloor> {
  const prepared = await prepareWorker({ workerDir, cacheDir: path.join(options.bundleCacheDir, 'mcp-floor'), repoRoot });
  const { bundle } = prepared;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
      workers: [
        {
          ...prepared.workerOptions,
          name: prepared.name,
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
  const open = new Client({ name: 'bench-floor', version: '1.0.0' });
  let authorized: Client | undefined;
  try {
    await mf.ready;
    const base = `http://127.0.0.1:${FLOOR_PORT}`;
    await open.connect(new StreamableHTTPClientTransport(new URL('/open/mcp', base)));
    // A real OAuth flow against the control (registration, PKCE, token exchange); its /authorize approves at once.
    authorized = await connectMcp('streamable-http', base, new DriverOAuthProvider({ username: 'control', password: 'unused' }));
    const noop = async (): Promise<void> => {
      const response = await fetch(`${base}/noop`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      await response.arrayBuffer();
    };
    const call = async (client: Client): Promise<void> => {
      const result = await client.callTool({ name: 'list-todos', arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS });
      if (result.isError) throw new Error('the control tool failed');
    };
    const steps = [noop, () => call(open), () => call(authorized!)];
    const samples: number[][] = steps.map(() => []);
    for (let round = -50; round < options.rounds; round++) {
      for (const [i, step] of steps.entries()) {
        const start = performance.now();
        await step();
        if (round >= 0) samples[i]!.push(since(start));
      }
    }
    return { noop: summarize(samples[0]!), sdk: summarize(samples[1]!), sdkAndOAuth: summarize(samples[2]!) };
  } finally {
    await Promise.allSettled([open.close(), authorized?.close()]);
    await mf.dispose();
  }
}
