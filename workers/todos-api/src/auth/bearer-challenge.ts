// Builds RFC 6750 §3 `WWW-Authenticate: Bearer …` challenges.
import { todosApi } from '../../../../system/system.js';

/** Realm of every challenge this API sends unless a middleware is given another: the Worker's name. */
export const DEFAULT_REALM: string = todosApi.workerName;

export interface BearerChallengeOptions {
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  description?: string;
  scope?: string;
}

/** `Bearer realm="…"` plus optional error attributes, in RFC 6750's order. */
export function bearerChallenge(realm: string, options: BearerChallengeOptions = {}): string {
  const parts = [`realm="${quotable(realm)}"`];
  if (options.error !== undefined) parts.push(`error="${options.error}"`);
  if (options.description !== undefined) parts.push(`error_description="${quotable(options.description)}"`);
  if (options.scope !== undefined) parts.push(`scope="${quotable(options.scope)}"`);
  return `Bearer ${parts.join(', ')}`;
}

// RFC 6750 limits attribute values to %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash, printable ASCII.
function quotable(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '');
}
