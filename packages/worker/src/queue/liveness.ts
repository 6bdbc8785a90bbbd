/**
 * Liveness instead of long leases (Solid Queue's process pruning is the model): every worker
 * process beats in `workers` every few seconds; one silent for `deadAfterMs` is dead, and the
 * first live worker to notice releases what it held at once. Claims carry their owner: every
 * lease id and reservation token a worker makes starts with `<workerId>:`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '@outreach/shared';

export const HEARTBEAT_MS = 5_000;
export const DEAD_AFTER_MS = 30_000;

/** A fresh lease id / reservation token owned by `owner` (a worker id), or by nobody. */
export function leaseId(owner?: string): string {
  return owner ? `${owner}:${randomUUID()}` : randomUUID();
}

/** Registers the worker or records that it is still alive. */
export async function heartbeat(db: Db, workerId: string, now: number): Promise<void> {
  await db.client.execute({
    sql: `INSERT INTO workers (id, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    args: [workerId, process.pid, hostname(), now, now],
  });
}

/** A graceful stop: the worker leaves (what it held was handed back by its loops). */
export async function unregister(db: Db, workerId: string): Promise<void> {
  await db.client.execute({ sql: 'DELETE FROM workers WHERE id = ?', args: [workerId] });
}

/**
 * Workers silent for `deadAfterMs`: their `sending` sends are due for settling as interrupted
 * now (they may have reached SMTP), their reserved sends go back to their contacts (due now),
 * their running jobs can be claimed again, and their row goes. Idempotent: two live workers
 * releasing the same dead one do the same thing.
 */
export async function releaseDeadWorkers(
  db: Db,
  now: number,
  deadAfterMs = DEAD_AFTER_MS,
): Promise<string[]> {
  const dead = await db.client.execute({
    sql: 'SELECT id FROM workers WHERE heartbeat_at < ?',
    args: [now - deadAfterMs],
  });
  const ids = dead.rows.map((r) => String(r.id));
  for (const id of ids) {
    const owned = (col: string) => `substr(${col}, 1, ?) = ?`;
    const prefix = [id.length + 1, `${id}:`];
    await db.client.batch(
      [
        {
          sql: `UPDATE sends SET lease_until = 0 WHERE status = 'sending' AND ${owned('lease_id')}`,
          args: prefix,
        },
        {
          sql: `UPDATE contacts SET next_send_at = ?, updated_at = ?
                WHERE status = 'active' AND next_send_at > ? AND id IN (
                  SELECT contact_id FROM sends WHERE status = 'scheduled' AND ${owned('lease_id')})`,
          args: [now, now, now, ...prefix],
        },
        {
          sql: `UPDATE sends SET lease_id = NULL, lease_until = NULL, updated_at = ?
                WHERE status = 'scheduled' AND ${owned('lease_id')}`,
          args: [now, ...prefix],
        },
        {
          sql: `UPDATE jobs SET lease_until = 0 WHERE state = 'running' AND ${owned('lease_id')}`,
          args: prefix,
        },
        { sql: 'DELETE FROM workers WHERE id = ? AND heartbeat_at < ?', args: [id, now - deadAfterMs] },
      ],
      'write',
    );
  }
  return ids;
}
