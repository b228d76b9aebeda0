// Control for the tool-call ratio: what the MCP SDK (official client and server) and the OAuth provider cost per tool
// call, in the control Worker (bench/control-worker): a trivial tool and no I/O.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectMcp, DriverOAuthProvider } from '../test/helpers/mcp-oauth-driver.js';
import { startControlWorker } from './control-worker.js';
import { CALL_TIMEOUT_MS, listTodos } from './measure-mcp-calls.js';
import { since, summarize, type LatencySummary } from './stats.js';

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
  const control = await startControlWorker(options.bundleCacheDir);
  const open = new Client({ name: 'bench-floor', version: '1.0.0' });
  let authorized: Client | undefined;
  try {
    const { base } = control;
    await open.connect(new StreamableHTTPClientTransport(new URL('/open/mcp', base)));
    // A real OAuth flow against the control (registration, PKCE, token exchange); its /authorize approves at once.
    authorized = await connectMcp('streamable-http', base, new DriverOAuthProvider({ username: 'control', password: 'unused' }));
    const noop = async (): Promise<void> => {
      const response = await fetch(`${base}/noop`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      await response.arrayBuffer();
    };
    const steps = [noop, () => listTodos(open), () => listTodos(authorized!)];
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
    await control.dispose();
  }
}
