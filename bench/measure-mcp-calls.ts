// MCP tool calls through the whole stack (MCP server -> Todos API): sequential `list-todos` latency on /mcp and /sse.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { connectMcp, DriverOAuthProvider, type TransportKind } from '../test/support/mcp-oauth-driver.js';
import type { BenchTarget } from './bench-target.js';
import { type LatencySummary, since, summarize } from './stats.js';

/** Per-call timeout: a stuck call counts as an error instead of hanging the run. */
export const CALL_TIMEOUT_MS = 10_000;

/** Call `list-todos` once; throws when the tool reports an error, so only real answers are timed. */
export async function listTodos(client: Client): Promise<void> {
  const result = (await client.callTool({ name: 'list-todos', arguments: {} }, undefined, { timeout: CALL_TIMEOUT_MS })) as CallToolResult;
  if (result.isError) {
    const text = (result.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join(' ');
    throw new Error(`list-todos failed: ${text.slice(0, 200)}`);
  }
}

/** A signed-in MCP client (one real OAuth flow: registration, consent, IdP login, token exchange) and how long that took. */
export async function signedInClient(target: BenchTarget, kind: TransportKind): Promise<{ client: Client; oauthFlowMs: number }> {
  const start = performance.now();
  const client = await connectMcp(kind, target.urls.mcp, new DriverOAuthProvider(target.user));
  return { client, oauthFlowMs: since(start) };
}

export interface McpSequentialResult {
  transport: TransportKind;
  oauthFlowMs: number;
  latency: LatencySummary;
}

export async function measureMcpSequential(target: BenchTarget, kind: TransportKind, calls: number): Promise<McpSequentialResult> {
  const { client, oauthFlowMs } = await signedInClient(target, kind);
  try {
    for (let i = 0; i < 20; i++) await listTodos(client); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await listTodos(client);
      samples.push(since(start));
    }
    return { transport: kind, oauthFlowMs: Math.round(oauthFlowMs), latency: summarize(samples) };
  } finally {
    await client.close();
  }
}

/**
 * Diagnostic: MCP `ping` round trips on /mcp (OAuth token check + transport, no tool, no Todos API call), to
 * split a tool call's time between the MCP layer and the upstream API call.
 */
export async function measureMcpPing(target: BenchTarget, calls: number): Promise<LatencySummary> {
  const { client } = await signedInClient(target, 'streamable-http');
  try {
    for (let i = 0; i < 20; i++) await client.ping({ timeout: CALL_TIMEOUT_MS });
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await client.ping({ timeout: CALL_TIMEOUT_MS });
      samples.push(since(start));
    }
    return summarize(samples);
  } finally {
    await client.close();
  }
}
