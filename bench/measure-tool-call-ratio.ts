// The tool-call ratio and what it is made of, measured in one stage: the stack's direct request and /mcp tool call,
// and the control Worker's bare request, MCP SDK call and SDK-behind-OAuth call (bench/control-worker: a trivial
// tool, no I/O), all five in turn. Every one sees the same machine state, so their differences are comparable.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectMcp, DriverOAuthProvider } from '../test/support/mcp-oauth-driver.js';
import type { BenchTarget } from './bench-target.js';
import { startControlWorker } from './control-worker.js';
import { getTodos } from './measure-direct-api.js';
import { CALL_TIMEOUT_MS, listTodos, signedInClient } from './measure-mcp-calls.js';
import { type LatencySummary, since, summarize } from './stats.js';

/** The stack's two requests, alternating: the source of the tool-call ratio. */
export interface PairedResult {
  direct: LatencySummary;
  mcp: LatencySummary;
}

export interface McpFloor {
  /** `GET /noop` on the control Worker: a bare HTTP round trip to workerd. */
  noop: LatencySummary;
  /** `tools/call` of a trivial tool through the official client, stateless Streamable HTTP, no OAuth. */
  sdk: LatencySummary;
  /** The same behind workers-oauth-provider with a bearer token, set up like the real MCP server. */
  sdkAndOAuth: LatencySummary;
  /** `GET /audit-write`: one tool call's audit event written inline (pseudonym + D1 insert): the work it costs. */
  auditWrite: LatencySummary;
  /** `GET /audit-queued`: the same queued with waitUntil, as the MCP server does: what a response waits for it. */
  auditQueued: LatencySummary;
  /** `GET /rate-limited`: `/noop` behind one Rate Limiting check, as /mcp and /sse make per request. */
  rateLimited: LatencySummary;
}

const WARM_UP_ROUNDS = 50;

/** Each step once per round, in order, `rounds` times after a warm-up; a summary per step. */
async function inTurn<K extends string>(steps: Record<K, () => Promise<void>>, rounds: number): Promise<Record<K, LatencySummary>> {
  const names = Object.keys(steps) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = -WARM_UP_ROUNDS; round < rounds; round++) {
    for (const name of names) {
      const start = performance.now();
      await steps[name]();
      if (round >= 0) samples.get(name)!.push(since(start));
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples.get(name)!)])) as Record<K, LatencySummary>;
}

/** The stack must be running; the control Worker runs beside it in a workerd of its own for this stage only. */
export async function measureRatioAndFloor(
  target: BenchTarget,
  upstreamToken: string,
  options: { rounds: number; bundleCacheDir: string },
): Promise<{ paired: PairedResult; floor: McpFloor }> {
  const control = await startControlWorker(options.bundleCacheDir);
  const clients: Client[] = [];
  try {
    const { client: stackClient } = await signedInClient(target, 'streamable-http');
    clients.push(stackClient);
    const open = new Client({ name: 'bench-floor', version: '1.0.0' });
    await open.connect(new StreamableHTTPClientTransport(new URL('/open/mcp', control.base)));
    clients.push(open);
    // A real OAuth flow against the control (registration, PKCE, token exchange); its /authorize approves at once.
    const authorized = await connectMcp(
      'streamable-http',
      control.base,
      new DriverOAuthProvider({ username: 'control', password: 'unused' }),
    );
    clients.push(authorized);

    const todosUrl = new URL('/api/todos', target.urls.api);
    const noopUrl = new URL('/noop', control.base);
    const auditWriteUrl = new URL('/audit-write', control.base);
    const auditQueuedUrl = new URL('/audit-queued', control.base);
    const rateLimitedUrl = new URL('/rate-limited', control.base);
    const getControl = async (url: URL): Promise<void> => {
      const response = await fetch(url, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
      await response.arrayBuffer();
    };
    const r = await inTurn(
      {
        direct: () => getTodos(todosUrl, upstreamToken),
        mcp: () => listTodos(stackClient),
        noop: async () => {
          const response = await fetch(noopUrl, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
          await response.arrayBuffer();
        },
        sdk: () => listTodos(open),
        sdkAndOAuth: () => listTodos(authorized),
        auditWrite: () => getControl(auditWriteUrl),
        auditQueued: () => getControl(auditQueuedUrl),
        rateLimited: () => getControl(rateLimitedUrl),
      },
      options.rounds,
    );
    return {
      paired: { direct: r.direct, mcp: r.mcp },
      floor: {
        noop: r.noop,
        sdk: r.sdk,
        sdkAndOAuth: r.sdkAndOAuth,
        auditWrite: r.auditWrite,
        auditQueued: r.auditQueued,
        rateLimited: r.rateLimited,
      },
    };
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
    await control.dispose();
  }
}
