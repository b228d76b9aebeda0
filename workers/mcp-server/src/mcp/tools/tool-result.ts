// Builds tool results: JSON answers, and user-facing messages for every way a call can fail.
import type { CallToolResult } from '@modelcontextprotocol/server';
import { markDenied } from '../../audit/record-tool-call.js';
import type { McpProps } from '../../props.js';
import { UpstreamAuthError } from '../../upstream/upstream-auth-error.js';
import type { TodosApiFailure } from '../todos-api-client.js';
import type { ToolContext } from './tool-context.js';

/** Fixed user-facing messages; tests assert them, so they live in one place. */
export const toolMessages = {
  apiUnavailable: 'The Todos API is unavailable right now; try again.',
  upstreamExpired: 'Your session with the identity provider has expired — reconnect to this MCP server and sign in again.',
  reauthRequired: 'Your sign-in has expired or was revoked — reconnect to this MCP server and sign in again.',
  idpUnavailable: 'The identity provider is unavailable right now, so your access could not be renewed; try again in a moment.',
  noUser: 'This request carries no signed-in user — reconnect to this MCP server and sign in again.',
  unexpected: 'Something went wrong while running this tool; try again.',
  notGranted: (scope: string, consequence: string) => `This connection was not granted ${scope}, so ${consequence}.`,
  reconnectToGrant: (missing: readonly string[]) =>
    `This connection was not granted ${missing.join(' and ')}, which this tool needs. Reconnect this app to the server ` +
    '(sign in again) and allow it on the consent page to use this tool.',
  notFound: (id: string) => `No todo with id ${id}.`,
  invalid: (details: string[]) =>
    details.length > 0 ? `The Todos API rejected the request: ${details.join('; ')}.` : 'The Todos API rejected the request as invalid.',
} as const;

/** A successful answer: pretty JSON text, plus `structuredContent` when the value is an object. */
export function jsonResult(value: unknown): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    result.structuredContent = value as Record<string, unknown>;
  }
  return result;
}

/** A refusal the model should relay to the user (MCP tool error, not a protocol error). */
export function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

export interface FailureWording {
  /** What the missing scope prevents, e.g. "billing information can't be shown". */
  consequence: string;
  /** The todo id the call was about, for "No todo with id …". */
  id?: string;
}

/** The user-facing message for a Todos API refusal. */
export function apiFailureResult(failure: TodosApiFailure, wording: FailureWording): CallToolResult {
  switch (failure.kind) {
    case 'insufficient_scope':
      return markDenied(toolError(toolMessages.notGranted(failure.scope, wording.consequence)));
    case 'not_found':
      // Without an id, a 404 means the API route itself is missing: a deployment problem, not the user's.
      return toolError(wording.id === undefined ? toolMessages.apiUnavailable : toolMessages.notFound(wording.id));
    case 'invalid_request':
      return toolError(toolMessages.invalid(failure.details));
    case 'unauthorized':
      return toolError(toolMessages.upstreamExpired);
    case 'unavailable':
      return toolError(toolMessages.apiUnavailable);
  }
}

/**
 * Runs a tool body with a fresh upstream access token for the grant, turning every token failure
 * into a user-facing tool error; tools never include a token in what they return.
 */
export async function withUpstreamToken(
  context: ToolContext,
  props: McpProps,
  run: (accessToken: string) => Promise<CallToolResult>,
): Promise<CallToolResult> {
  let accessToken: string;
  try {
    accessToken = await context.upstreamAccessToken(props);
  } catch (error) {
    if (error instanceof UpstreamAuthError) {
      if (error.code !== 'reauth_required') return toolError(toolMessages.idpUnavailable);
      await context.onReauthRequired?.();
      return toolError(toolMessages.reauthRequired);
    }
    console.error('mcp tool: upstream token lookup failed', error instanceof Error ? error.name : 'unknown');
    return toolError(toolMessages.idpUnavailable);
  }
  return run(accessToken);
}
