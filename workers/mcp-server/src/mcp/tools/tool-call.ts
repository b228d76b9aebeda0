// The one way a tool is put on a server and the one place every tool call starts and ends (rate limits and audit hook in here).
import {
  type CallToolResult,
  type McpServer,
  requireScopes,
  type ScopeChallengeHandler,
  type ServerContext,
  type ToolAnnotations,
} from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { baselinePermissions, type McpToolName, mcpToolPermissions, type TodosPermission } from '../../../../../system/system.js';
import { recordDeniedToolCall, recordToolCall } from '../../audit/record-tool-call.js';
import type { McpProps } from '../../props.js';
import { mcpPropsOf, propsOfAuthInfo } from '../mcp-request-auth.js';
import { toolError, toolMessages } from './tool-result.js';

/** What a tool body gets besides its arguments. */
export interface ToolCall {
  name: string;
  /** The grant of the request being answered (never props captured earlier). */
  props: McpProps;
  ctx: ServerContext;
}

export interface ToolConfig<Input extends z.ZodObject | undefined> {
  title: string;
  description: string;
  inputSchema?: Input;
  annotations: ToolAnnotations;
}

type ToolArgs<Input extends z.ZodObject | undefined> = Input extends z.ZodObject ? z.output<Input> : Record<string, never>;
export type ToolBody<Input extends z.ZodObject | undefined> = (
  args: ToolArgs<Input>,
  call: ToolCall,
) => Promise<CallToolResult> | CallToolResult;

/**
 * Registers `name` with the permission it needs from the grant (system.ts `mcpToolPermissions`): named in its
 * description and `_meta`, and checked by the transport before the tool runs (`scopeChallenge`), so a call the
 * grant may not make is answered `403 insufficient_scope` (step-up) on /mcp and POST /sse, and with a tool
 * result naming the permission on legacy /sse. Tools stay listed either way, so a client can ask for more.
 */
export function registerTool<Input extends z.ZodObject | undefined = undefined>(
  server: McpServer,
  name: McpToolName,
  config: ToolConfig<Input>,
  body: ToolBody<Input>,
): void {
  const permission = mcpToolPermissions[name];
  const registered = {
    ...config,
    description: permission ? `${config.description} Needs the ${permission} permission.` : config.description,
    _meta: { requiredPermission: permission },
    ...(permission ? { scopeChallenge: permissionChallenges.get(name) } : {}),
  };
  const run = (args: ToolArgs<Input>, ctx: ServerContext) => runToolCall(name, ctx, (props) => body(args, { name, props, ctx }));
  if (config.inputSchema === undefined) {
    server.registerTool(name, registered as ToolConfig<undefined>, (ctx: ServerContext) => run({} as ToolArgs<Input>, ctx));
  } else {
    const withInput = registered as ToolConfig<z.ZodObject> & { inputSchema: z.ZodObject };
    server.registerTool(name, withInput, (args: unknown, ctx: ServerContext) => run(args as ToolArgs<Input>, ctx));
  }
}

/**
 * Every scope the call needs, the baseline included, so a client that re-authorizes with the challenge's scopes
 * keeps what it had. A refusal is recorded in the audit log as `denied`: the tool body never runs for it.
 */
function permissionChallenge(tool: McpToolName, permission: TodosPermission): ScopeChallengeHandler {
  const needed = [...new Set<string>([...baselinePermissions, permission])] as [string, ...string[]];
  const check = requireScopes(...needed);
  return async (input) => {
    const challenge = await check(input);
    const props = challenge && input.authInfo ? propsOfAuthInfo(input.authInfo) : undefined;
    if (challenge && props) recordDeniedToolCall({ tool, props, clientId: input.authInfo?.clientId ?? '' });
    return challenge;
  };
}

/** One per tool that needs a permission, built with the module: /mcp registers every tool on a new server per request. */
const permissionChallenges = new Map<McpToolName, ScopeChallengeHandler>(
  (Object.entries(mcpToolPermissions) as [McpToolName, TodosPermission | null][]).flatMap(([tool, permission]) =>
    permission ? [[tool, permissionChallenge(tool, permission)] as const] : [],
  ),
);

/**
 * Every tool call, start to end: refuses a request without a signed-in user and turns anything
 * thrown into a user-facing tool error (the SDK would echo the raw message to the client).
 */
export async function runToolCall(
  name: string,
  ctx: ServerContext,
  body: (props: McpProps) => Promise<CallToolResult> | CallToolResult,
): Promise<CallToolResult> {
  const props = mcpPropsOf(ctx);
  if (!props) return toolError(toolMessages.noUser);
  const started = Date.now();
  let result: CallToolResult | undefined;
  try {
    result = await body(props);
    return result;
  } catch (error) {
    console.error(`mcp tool ${name}: unexpected failure`, error instanceof Error ? error.name : 'unknown');
    return toolError(toolMessages.unexpected);
  } finally {
    // The audit log: every call, whatever its outcome (written after the response, src/audit).
    recordToolCall({ tool: name, props, clientId: ctx.http?.authInfo?.clientId ?? '', result, durationMs: Date.now() - started });
  }
}
