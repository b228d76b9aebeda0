// The audit hook of the tools layer: every tool registered through `auditedToolServer` has each call recorded.
import { env } from 'cloudflare:workers';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mcpPropsOf } from '../mcp/mcp-request-auth.js';
import type { ToolCallOutcome } from './audit-log.js';
import { recordAuditEvent } from './record-audit-event.js';

/** Results refused for a permission the grant lacks: `denied` in the log rather than `error`. */
const deniedResults = new WeakSet<CallToolResult>();

/** Marks a tool result as a refusal for a missing permission (called where such results are built). */
export function markDenied(result: CallToolResult): CallToolResult {
  deniedResults.add(result);
  return result;
}

function outcomeOf(result: CallToolResult): ToolCallOutcome {
  if (deniedResults.has(result)) return 'denied';
  return result.isError ? 'error' : 'ok';
}

type ToolCallback = (...args: unknown[]) => CallToolResult | Promise<CallToolResult>;

/**
 * `server` whose `registerTool` wraps each tool's callback: after the call, one `tool_call` event (user, client,
 * grant, tool, outcome, duration) is queued with waitUntil. Nothing of the arguments or the result is kept.
 * The SDK passes the request's `extra` (with the grant props) as the callback's last argument.
 */
export function auditedToolServer(server: McpServer): McpServer {
  const register = server.registerTool.bind(server) as (...args: unknown[]) => unknown;
  const registerTool = (...args: unknown[]): unknown => {
    const callback = args.at(-1) as ToolCallback;
    const name = String(args[0]);
    return register(...args.slice(0, -1), auditedCallback(name, callback));
  };
  return new Proxy(server, {
    get(target, property, receiver) {
      if (property === 'registerTool') return registerTool;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

function auditedCallback(tool: string, callback: ToolCallback): ToolCallback {
  return async (...args: unknown[]) => {
    const started = Date.now();
    let outcome: ToolCallOutcome = 'error';
    try {
      const result = await callback(...args);
      outcome = outcomeOf(result);
      return result;
    } finally {
      recordToolCall(tool, outcome, Date.now() - started, args.at(-1));
    }
  };
}

function recordToolCall(tool: string, outcome: ToolCallOutcome, durationMs: number, extra: unknown): void {
  const request = extra as { authInfo?: { clientId?: string } } | undefined;
  const props = request ? mcpPropsOf(request as Parameters<typeof mcpPropsOf>[0]) : undefined;
  if (!props) return; // no signed-in user: nothing to attribute (the tool refused it anyway)
  recordAuditEvent(env, {
    kind: 'tool_call',
    subject: props.claims.sub,
    clientId: request?.authInfo?.clientId ?? '',
    grantKey: props.grantKey,
    tool,
    outcome,
    durationMs,
  });
}
