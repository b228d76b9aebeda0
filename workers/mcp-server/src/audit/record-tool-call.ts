// The audit hook of the tools layer: runToolCall (src/mcp/tools/tool-call.ts) records every call through here.
import { env } from 'cloudflare:workers';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { McpProps } from '../props.js';
import type { ToolCallOutcome } from './audit-log.js';
import { recordAuditEvent } from './record-audit-event.js';

/** Results refused for a permission the grant lacks: `denied` in the log rather than `error`. */
const deniedResults = new WeakSet<CallToolResult>();

/** Marks a tool result as a refusal for a missing permission (called where such results are built). */
export function markDenied(result: CallToolResult): CallToolResult {
  deniedResults.add(result);
  return result;
}

function outcomeOf(result: CallToolResult | undefined): ToolCallOutcome {
  if (result === undefined) return 'error';
  if (deniedResults.has(result)) return 'denied';
  return result.isError ? 'error' : 'ok';
}

export interface ToolCallRecord {
  tool: string;
  props: McpProps;
  /** The OAuth client the call came from ('' if the transport did not say). */
  clientId: string;
  /** What the tool answered; undefined when it threw. */
  result: CallToolResult | undefined;
  durationMs: number;
}

/**
 * Queues one `tool_call` event (user, client, grant, tool, outcome, duration) with waitUntil. Nothing of the
 * arguments or the result is kept.
 */
export function recordToolCall({ result, durationMs, ...call }: ToolCallRecord): void {
  queueToolCall(call, outcomeOf(result), durationMs);
}

/** A call refused before its tool ran, for a permission the grant lacks (the scope challenge): `denied`, no duration. */
export function recordDeniedToolCall(call: Pick<ToolCallRecord, 'tool' | 'props' | 'clientId'>): void {
  queueToolCall(call, 'denied', 0);
}

function queueToolCall(
  { tool, props, clientId }: Pick<ToolCallRecord, 'tool' | 'props' | 'clientId'>,
  outcome: ToolCallOutcome,
  durationMs: number,
): void {
  recordAuditEvent(env, { kind: 'tool_call', subject: props.claims.sub, clientId, grantKey: props.grantKey, tool, outcome, durationMs });
}
