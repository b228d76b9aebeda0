// Direct Todos API: GET /api/todos with a user's upstream (IdP) access token, sequential latency and concurrent throughput.
import { mcpCallbackUrl, mcpServer, todosApi } from '../system/system.js';
import { userTokensViaCodeFlow } from '../test/support/idp-tokens.js';
import type { BenchTarget } from './bench-target.js';
import { type LatencySummary, since, summarize } from './stats.js';

export interface DirectApiResult {
  /** The upstream token used, kept out of results.json (callers drop it). */
  token: string;
  sequential: LatencySummary;
  concurrent: {
    connections: number;
    requests: number;
    errors: number;
    seconds: number;
    requestsPerSecond: number;
    latency: LatencySummary;
  };
}

/** The user's access token for the Todos API, exactly as the MCP server gets it (code flow with its client). */
export async function upstreamAccessToken(target: BenchTarget): Promise<string> {
  const tokens = await userTokensViaCodeFlow({
    issuer: target.urls.issuer,
    clientId: target.mcpApp.clientId,
    clientSecret: target.mcpApp.clientSecret,
    redirectUri: mcpCallbackUrl(target.urls.mcp),
    username: target.user.username,
    password: target.user.password,
    scope: mcpServer.scope,
    audience: todosApi.identifier,
  });
  return tokens.access_token;
}

/** One GET /api/todos; throws on anything but 200 so a broken setup cannot pass as fast. */
export async function getTodos(url: URL, token: string): Promise<void> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET ${url.pathname}: HTTP ${response.status}`);
}

export async function measureDirectApi(
  target: BenchTarget,
  options: { sequential: number; concurrentRequests: number; connections: number },
): Promise<DirectApiResult> {
  const token = await upstreamAccessToken(target);
  const url = new URL('/api/todos', target.urls.api);
  for (let i = 0; i < 20; i++) await getTodos(url, token); // warm-up: JIT, JWKS cache, connection

  const sequential: number[] = [];
  for (let i = 0; i < options.sequential; i++) {
    const start = performance.now();
    await getTodos(url, token);
    sequential.push(since(start));
  }

  // Fixed request count shared by `connections` workers: each keeps one request in flight.
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (next < options.concurrentRequests) {
        next++;
        const start = performance.now();
        try {
          await getTodos(url, token);
          latencies.push(since(start));
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = since(started) / 1000;
  return {
    token,
    sequential: summarize(sequential),
    concurrent: {
      connections: options.connections,
      requests: options.concurrentRequests,
      errors,
      seconds: round(seconds),
      requestsPerSecond: round(options.concurrentRequests / seconds),
      latency: summarize(latencies),
    },
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
