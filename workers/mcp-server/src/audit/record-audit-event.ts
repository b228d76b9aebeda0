// Writes an audit event after the response, through the request's waitUntil: callers are never slowed or failed by it.
import { afterResponse } from '../http/after-response.js';
import { type AuditEvent, writeAuditEvent } from './audit-log.js';
import { pseudonymousUserId } from './pseudonymous-user-id.js';

/** An event as callers describe it: the IdP subject, which is replaced by its pseudonym before anything is stored. */
export type AuditEventInput = (AuditEvent extends infer Event ? (Event extends unknown ? Omit<Event, 'userId' | 'at'> : never) : never) & {
  subject: string;
  at?: number;
};

/** What recording needs from the Worker's env. */
export interface AuditEnv {
  AUDIT_DB: D1Database;
  COOKIE_ENCRYPTION_KEY: string;
}

/**
 * Queues the write and returns at once. A failed write is logged (without the event) and dropped: an audit outage
 * must not turn into failed tool calls or sign-ins.
 *
 * The write starts once the caller's response has been handed over: measured in local workerd, a D1 write issued in
 * the same turn held the response back for the whole write (~5 ms), a deferred one not at all.
 */
export function recordAuditEvent(env: AuditEnv, input: AuditEventInput): void {
  afterResponse('audit: write', () => writeEvent(env, input));
}

/** The write itself (awaitable: the bench and tests measure it). */
export async function writeEvent(env: AuditEnv, input: AuditEventInput): Promise<void> {
  const { subject, at, ...rest } = input;
  const userId = await pseudonymousUserId(subject, env.COOKIE_ENCRYPTION_KEY);
  await writeAuditEvent(env.AUDIT_DB, { ...rest, at: at ?? Date.now(), userId } as AuditEvent);
}
