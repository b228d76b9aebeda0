// The retention purge (cron trigger): deletes audit rows older than the retention period, in bounded batches.

/** How long audit rows are kept: long enough for a user to review a quarter's activity. */
export const AUDIT_RETENTION_DAYS = 90;

/** Rows deleted per statement, so one purge never holds the database for long. */
const BATCH_ROWS = 5_000;
/** Statements per run: a backlog larger than this is finished by the next day's run. */
const MAX_BATCHES = 20;

/** Deletes rows older than `now - AUDIT_RETENTION_DAYS`; returns how many went. */
export async function purgeAuditLog(db: D1Database, now = Date.now()): Promise<number> {
  const cutoff = now - AUDIT_RETENTION_DAYS * 24 * 60 * 60 * 1000;
  const statement = db.prepare('DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ? LIMIT ?)');
  let deleted = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const result = await statement.bind(cutoff, BATCH_ROWS).run();
    deleted += result.meta.changes;
    if (result.meta.changes < BATCH_ROWS) break;
  }
  return deleted;
}

/** The cron trigger's job: purge, and log how many rows went (a count, nothing else). */
export async function runScheduledPurge(env: Pick<Env, 'AUDIT_DB'>): Promise<void> {
  const deleted = await purgeAuditLog(env.AUDIT_DB);
  console.log(`audit: purged ${deleted} rows older than ${AUDIT_RETENTION_DAYS} days`);
}
