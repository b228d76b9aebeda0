// Helpers for the fault and load tests: local users, raw JSON-RPC posts to /mcp, an OAuth client that stops before login, leak checks.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { LocalStack } from '../../scripts/local-stack/start-local-stack.js';
import { DriverOAuthProvider } from './mcp-oauth-driver.js';

export interface TestUser {
  username: string;
  password: string;
  sub: string;
}

/** One of the local IdP's seeded users, by the start of its e-mail (alice, bob). */
export function localUser(stack: LocalStack, prefix: 'alice' | 'bob'): TestUser {
  const found = stack.idp.users.find((u) => u.email.startsWith(prefix));
  if (!found) throw new Error(`no ${prefix} among the local users`);
  return { username: found.email, password: found.password, sub: found.sub };
}

/** The text parts of a tool result, joined. */
export function resultText(result: unknown): string {
  return ((result as CallToolResult).content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/**
 * An MCP OAuth client whose "browser" only records where the SDK sent it: the test then drives the
 * login itself, to cut the flow at a chosen step (e.g. just before /callback).
 */
export class RecordingOAuthProvider extends DriverOAuthProvider {
  override async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizationUrls.push(url);
  }
}

export interface RawMcpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** POST a raw body to /mcp with an MCP access token, as a Streamable HTTP client would (JSON or SSE accepted). */
export async function postMcp(mcpUrl: string, accessToken: string, body: BodyInit): Promise<RawMcpAnswer> {
  const response = await fetch(new URL('/mcp', mcpUrl), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${accessToken}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body,
  });
  const text = await response.text();
  // A 2025-era request is answered with one SSE `message` event: its data is the JSON-RPC answer.
  const sse = response.headers.get('Content-Type')?.includes('text/event-stream');
  const data = sse ? text.split('\n').find((line) => line.startsWith('data: ')) : undefined;
  return { status: response.status, headers: response.headers, body: data === undefined ? text : data.slice('data: '.length) };
}

/** A JSON-RPC `tools/call` request body. */
export function toolCallBody(id: number, name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
}

/** JWT-shaped strings (IdP access or ID tokens). */
export const jwtPattern = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;

/** Stack traces as V8 / workerd print them. */
export const stackTracePattern = /\n\s+at [\w$.<>]+ \(|\bat [\w/.-]+\.(?:js|ts):\d+:\d+/;

/** How many of `secrets` (those of 8+ characters) occur in `text`: a count, so a failure message never prints a secret. */
export function leakedSecrets(text: string, secrets: ReadonlyArray<string | undefined>): number {
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8 && text.includes(s)).length;
}
