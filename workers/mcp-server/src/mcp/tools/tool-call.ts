// The one way a tool is put on a server and the one place every tool call starts and ends (rate limits and audit hook in here).
import type { CallToolResult, McpServer, ScopeChallengeHandler, ServerContext, ToolAnnotations } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { recordToolCall } from '../../audit/record-tool-call.js';
import type { McpProps } from '../../props.js';
import { mcpPropsOf } from '../mcp-request-auth.js';
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
  /**
   * The permissions a call needs (e.g. `requireScopes('write:todos')`): checked against the MCP
   * grant's scopes by the transport before the tool runs, answered with `403 insufficient_scope`.
   */
  scopeChallenge?: ScopeChallengeHandler;
}

type ToolArgs<Input extends z.ZodObject | undefined> = Input extends z.ZodObject ? z.output<Input> : Record<string, never>;
export type ToolBody<Input extends z.ZodObject | undefined> = (
  args: ToolArgs<Input>,
  call: ToolCall,
) => Promise<CallToolResult> | CallToolResult;

/** Registers `name`; its body runs through runToolCall. */
export function registerTool<Input extends z.ZodObject | undefined = undefined>(
  server: McpServer,
  name: string,
  config: ToolConfig<Input>,
  body: ToolBody<Input>,
): void {
  const run = (args: ToolArgs<Input>, ctx: ServerContext) => runToolCall(name, ctx, (props) => body(args, { name, props, ctx }));
  if (config.inputSchema === undefined) {
    server.registerTool(name, config as ToolConfig<undefined>, (ctx: ServerContext) => run({} as ToolArgs<Input>, ctx));
  } else {
    const withInput = config as ToolConfig<z.ZodObject> & { inputSchema: z.ZodObject };
    server.registerTool(name, withInput, (args: unknown, ctx: ServerContext) => run(args as ToolArgs<Input>, ctx));
  }
}

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
