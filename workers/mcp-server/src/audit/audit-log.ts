// The audit log's rows in D1 (AUDIT_DB, migrations/0001_audit_log.sql): writing, reading for the account page, purging.

export type ToolCallOutcome = 'ok' | 'error' | 'denied';
export type GrantEventKind = 'grant_connected' | 'grant_refreshed' | 'grant_revoked_by_user' | 'grant_revoked_invalid_grant';

/** One row as written. `userId` is already pseudonymous (pseudonymous-user-id.ts). */
export type AuditEvent = {
  /** Milliseconds since the Unix epoch. */
  at: number;
  userId: string;
  clientId: string;
  grantKey?: string | undefined;
} & ({ kind: 'tool_call'; tool: string; outcome: ToolCallOutcome; durationMs: number } | { kind: GrantEventKind });

export async function writeAuditEvent(db: D1Database, event: AuditEvent): Promise<void> {
  const call = event.kind === 'tool_call' ? event : undefined;
  await db
    .prepare(
      'INSERT INTO audit_events (at, user_id, client_id, grant_key, kind, tool, outcome, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(
      event.at,
      event.userId,
      event.clientId,
      event.grantKey ?? null,
      event.kind,
      call?.tool ?? null,
      call?.outcome ?? null,
      call ? Math.max(0, Math.round(call.durationMs)) : null,
    )
    .run();
}

/** A tool call as the account page lists it. */
export interface ToolCallEntry {
  id: number;
  at: number;
  clientId: string;
  tool: string;
  outcome: ToolCallOutcome;
}

export interface ToolCallPage {
  entries: ToolCallEntry[];
  /** Pass as `beforeId` for the next (older) page; absent on the last page. */
  nextBeforeId?: number;
}

/** Largest page the account page asks for. */
export const MAX_PAGE_SIZE = 100;

/** The user's tool calls, newest first, `limit` at a time; `beforeId` continues from a previous page. */
export async function recentToolCalls(
  db: D1Database,
  userId: string,
  options: { limit: number; beforeId?: number | undefined },
): Promise<ToolCallPage> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit)), MAX_PAGE_SIZE);
  const { results } = await db
    .prepare(
      `SELECT id, at, client_id AS clientId, tool, outcome FROM audit_events
       WHERE user_id = ? AND kind = 'tool_call' AND id < ? ORDER BY id DESC LIMIT ?`,
    )
    .bind(userId, options.beforeId ?? Number.MAX_SAFE_INTEGER, limit + 1)
    .all<ToolCallEntry>();
  const entries = results.slice(0, limit);
  const last = entries.at(-1);
  return results.length > limit && last ? { entries, nextBeforeId: last.id } : { entries };
}

/**
 * When each of the user's grants was last used (a tool call or a token refresh), by grant key, in ms since the
 * epoch. The OAuth library records no last-used time, so the audit log is the source.
 */
export async function lastUseByGrant(db: D1Database, userId: string): Promise<Map<string, number>> {
  const { results } = await db
    .prepare(
      `SELECT grant_key AS grantKey, MAX(at) AS lastUsed FROM audit_events
       WHERE user_id = ? AND grant_key IS NOT NULL AND kind IN ('tool_call', 'grant_refreshed') GROUP BY grant_key`,
    )
    .bind(userId)
    .all<{ grantKey: string; lastUsed: number }>();
  return new Map(results.map((row) => [row.grantKey, row.lastUsed]));
}
