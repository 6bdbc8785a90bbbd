import type { Db } from '../db/client';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const CRON_RUNS_KEEP_MS = 7 * 24 * 60 * 60 * 1000;
const FINISHED_JOBS_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** Rows per delete: each statement holds the one writer lock only briefly. */
const PURGE_CHUNK = 2_000;
/** Settled webhook deliveries stay readable (`…/deliveries`) this long. */
const SETTLED_DELIVERIES_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Deletes what has outlived its purpose: replay records, cron markers, old finished jobs, settled
 * webhook deliveries. In
 * chunks with an event-loop turn between them, so a large backlog never becomes one long
 * statement that the API's writes (or this process's other loops) would wait behind.
 */
export async function purgeExpired(db: Db, now: number): Promise<number> {
  const purges = [
    { table: 'idempotency_keys', where: 'created_at < ?', args: [now - IDEMPOTENCY_TTL_MS] },
    { table: 'cron_runs', where: 'run_at < ?', args: [now - CRON_RUNS_KEEP_MS] },
    {
      table: 'jobs',
      where: "state IN ('succeeded', 'failed') AND finished_at < ? AND kind NOT IN ('launch', 'import')",
      args: [now - FINISHED_JOBS_KEEP_MS],
    },
    {
      table: 'webhook_deliveries',
      where: "status IN ('succeeded', 'failed') AND created_at < ?",
      args: [now - SETTLED_DELIVERIES_KEEP_MS],
    },
  ];
  let deleted = 0;
  for (const p of purges) {
    for (;;) {
      const rs = await db.client.execute({
        sql: `DELETE FROM ${p.table} WHERE rowid IN (SELECT rowid FROM ${p.table} WHERE ${p.where} LIMIT ${PURGE_CHUNK})`,
        args: p.args,
      });
      deleted += rs.rowsAffected;
      if (rs.rowsAffected < PURGE_CHUNK) break;
      await new Promise((r) => setImmediate(r));
    }
  }
  return deleted;
}
