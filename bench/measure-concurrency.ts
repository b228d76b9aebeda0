// Concurrency: N MCP sessions on /mcp, each with its own OAuth flow, calling `list-todos` for a bounded time.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { BenchTarget } from './bench-target.js';
import { listTodos, signedInClient } from './measure-mcp-calls.js';
import { type LatencySummary, since, summarize } from './stats.js';

export interface ConcurrencyResult {
  sessions: number;
  durationSeconds: number;
  calls: number;
  errors: number;
  /** First few distinct error messages, so a failing run says why. */
  errorSamples: string[];
  callsPerSecond: number;
  latency: LatencySummary;
  oauthFlows: LatencySummary;
}

export async function measureConcurrency(
  target: BenchTarget,
  options: { sessions: number; durationSeconds: number; onSignedIn?: () => Promise<void> },
): Promise<ConcurrencyResult> {
  const clients: Client[] = [];
  const flows: number[] = [];
  try {
    // Sign-ins one after another: the measured window is only the tool calls.
    for (let i = 0; i < options.sessions; i++) {
      const { client, oauthFlowMs } = await signedInClient(target, 'streamable-http');
      clients.push(client);
      flows.push(oauthFlowMs);
      await listTodos(client); // warm-up per session
    }

    await options.onSignedIn?.(); // e.g. a memory snapshot between sign-ins and load
    const latencies: number[] = [];
    const errorSamples = new Set<string>();
    let errors = 0;
    const started = performance.now();
    const endAt = started + options.durationSeconds * 1000;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < endAt) {
          const start = performance.now();
          try {
            await listTodos(client);
            latencies.push(since(start));
          } catch (error) {
            errors++;
            if (errorSamples.size < 5) errorSamples.add((error as Error).message.slice(0, 200));
          }
        }
      }),
    );
    const seconds = since(started) / 1000;
    return {
      sessions: options.sessions,
      durationSeconds: Math.round(seconds * 10) / 10,
      calls: latencies.length,
      errors,
      errorSamples: [...errorSamples],
      callsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
      latency: summarize(latencies),
      oauthFlows: summarize(flows),
    };
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
  }
}
