import { backoffMs, type Db, type Rng, type schema } from '@outreach/shared';
import { leaseId as newLeaseId } from './liveness';

export type Job = typeof schema.jobs.$inferSelect;

/** JSON columns come back as text from the raw client. */
function toJob(row: Record<string, unknown>): Job {
  return {
    id: row.id as string,
    workspaceId: Number(row.workspace_id),
    kind: row.kind as string,
    refId: (row.ref_id as string | null) ?? null,
    payload: JSON.parse((row.payload as string) ?? '{}'),
    state: row.state as Job['state'],
    priority: Number(row.priority),
    runAt: Number(row.run_at),
    leaseId: (row.lease_id as string | null) ?? null,
    leaseUntil: row.lease_until == null ? null : Number(row.lease_until),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    error: (row.error as string | null) ?? null,
    result: row.result ? JSON.parse(row.result as string) : null,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at == null ? null : Number(row.finished_at),
  };
}

/**
 * Claims due jobs in one statement: queued or retry jobs whose time has come, and running jobs
 * whose lease ran out (their worker died). The attempt is counted in the same statement.
 */
export async function claimJobs(
  db: Db,
  opts: { kinds: string[]; limit: number; leaseMs: number; now: number; owner?: string },
): Promise<{ leaseId: string; jobs: Job[] }> {
  const leaseId = newLeaseId(opts.owner);
  const kinds = opts.kinds.map(() => '?').join(',');
  const res = await db.client.execute({
    sql: `UPDATE jobs SET state = 'running', lease_id = ?, lease_until = ?, attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM jobs
            WHERE kind IN (${kinds}) AND run_at <= ?
              AND (state IN ('queued', 'retry') OR (state = 'running' AND lease_until < ?))
            ORDER BY priority, run_at LIMIT ?)
          RETURNING *`,
    args: [leaseId, opts.now + opts.leaseMs, ...opts.kinds, opts.now, opts.now, opts.limit],
  });
  return { leaseId, jobs: res.rows.map((r) => toJob(r as Record<string, unknown>)) };
}

/** Every later write is fenced by the lease: false means the lease was lost, so do nothing more. */
export async function extendLease(db: Db, job: Job, leaseId: string, until: number): Promise<boolean> {
  const res = await db.client.execute({
    sql: `UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_id = ? AND state = 'running' RETURNING id`,
    args: [until, job.id, leaseId],
  });
  return res.rows.length > 0;
}

export async function completeJob(
  db: Db,
  job: Job,
  leaseId: string,
  now: number,
  result: Record<string, unknown> | null = null,
): Promise<boolean> {
  const res = await db.client.execute({
    sql: `UPDATE jobs SET state = 'succeeded', result = ?, finished_at = ?, lease_id = NULL, lease_until = NULL, error = NULL
          WHERE id = ? AND lease_id = ? RETURNING id`,
    args: [result ? JSON.stringify(result) : null, now, job.id, leaseId],
  });
  return res.rows.length > 0;
}

/** Retry with exponential backoff and jitter until max_attempts, then failed with the error kept. */
export async function failJob(
  db: Db,
  job: Job,
  leaseId: string,
  error: string,
  now: number,
  rng: Rng,
  opts: { retryable?: boolean; baseMs?: number; maxMs?: number } = {},
): Promise<'retry' | 'failed' | 'lost'> {
  const retry = opts.retryable !== false && job.attempts < job.maxAttempts;
  const runAt =
    now +
    backoffMs(
      job.attempts,
      { baseMs: opts.baseMs ?? 5000, maxMs: opts.maxMs ?? 3_600_000, jitter: 'equal' },
      rng,
    );
  const res = await db.client.execute({
    sql: `UPDATE jobs SET state = ?, error = ?, run_at = ?, finished_at = ?, lease_id = NULL, lease_until = NULL
          WHERE id = ? AND lease_id = ? RETURNING id`,
    args: [
      retry ? 'retry' : 'failed',
      error.slice(0, 2000),
      retry ? runAt : job.runAt,
      retry ? null : now,
      job.id,
      leaseId,
    ],
  });
  if (res.rows.length === 0) return 'lost';
  return retry ? 'retry' : 'failed';
}

/** On graceful stop: hand unfinished jobs back at once instead of waiting for the lease. */
export async function releaseJob(db: Db, job: Job, leaseId: string): Promise<void> {
  await db.client.execute({
    sql: `UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0), lease_id = NULL, lease_until = NULL
          WHERE id = ? AND lease_id = ? AND state = 'running'`,
    args: [job.id, leaseId],
  });
}

/** Periodic tasks run once across workers: the first insert of (task, slot) wins. */
export async function claimCronRun(db: Db, task: string, slotMs: number, worker: string): Promise<boolean> {
  const res = await db.client.execute({
    sql: 'INSERT INTO cron_runs (task, run_at, worker) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING task',
    args: [task, slotMs, worker],
  });
  return res.rows.length > 0;
}
