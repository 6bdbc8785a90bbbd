import type { Db } from '../db/client';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const CRON_RUNS_KEEP_MS = 7 * 24 * 60 * 60 * 1000;
const FINISHED_JOBS_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** Settled webhook deliveries stay readable (`…/deliveries`) this long. */
const SETTLED_DELIVERIES_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/** Deletes what has outlived its purpose: replay records, cron markers, old finished jobs and settled webhook deliveries. */
export async function purgeExpired(db: Db, now: number): Promise<void> {
  await db.client.batch(
    [
      { sql: 'DELETE FROM idempotency_keys WHERE created_at < ?', args: [now - IDEMPOTENCY_TTL_MS] },
      { sql: 'DELETE FROM cron_runs WHERE run_at < ?', args: [now - CRON_RUNS_KEEP_MS] },
      {
        sql: "DELETE FROM jobs WHERE state IN ('succeeded', 'failed') AND finished_at < ? AND kind NOT IN ('launch', 'import')",
        args: [now - FINISHED_JOBS_KEEP_MS],
      },
      {
        sql: "DELETE FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND created_at < ?",
        args: [now - SETTLED_DELIVERIES_KEEP_MS],
      },
    ],
    'write',
  );
}
