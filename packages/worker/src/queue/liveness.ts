/**
 * Liveness instead of long leases (Solid Queue's process pruning is the model): every worker
 * process beats in `workers` every few seconds; one silent for `deadAfterMs` is dead, and the
 * first live worker to notice releases what it held at once. Claims carry their owner: every
 * lease id and reservation token a worker makes starts with `<workerId>:`.
 *
 * A restarted `outreach start` need not wait those 30 s for its killed predecessor: a worker
 * registered from this machine's pid namespace (same `host`, see `pidScope`) whose process no
 * longer exists is dead now, whatever its last beat. Only a missing process counts: a live pid
 * (even a reused one, or a stopped process) falls back to the heartbeat, so a live worker is
 * never taken for dead.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Db } from '@outreach/shared';

export const HEARTBEAT_MS = 5_000;
export const DEAD_AFTER_MS = 30_000;

/** A fresh lease id / reservation token owned by `owner` (a worker id), or by nobody. */
export function leaseId(owner?: string): string {
  return owner ? `${owner}:${randomUUID()}` : randomUUID();
}

/**
 * Where this process's pid means something, as stored in `workers.host`: on Linux the host name,
 * the boot id and the pid namespace (containers on one machine may share a host name and pids,
 * never a pid namespace; the boot id tells machines and reboots apart); elsewhere the host name.
 * `scoped` is false when Linux does not say (no /proc): pids are then never trusted.
 */
export function pidScope(): { host: string; scoped: boolean } {
  if (process.platform !== 'linux') return { host: hostname(), scoped: true };
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return { host: `${hostname()} boot:${boot} ${readlinkSync('/proc/self/ns/pid')}`, scoped: true };
  } catch {
    return { host: hostname(), scoped: false };
  }
}

/**
 * Whether process `pid` of this pid namespace is gone. Asked with signal 0 first: `/proc` may
 * hide other users' processes (hidepid), a signal does not (EPERM: it exists). A zombie (killed,
 * not yet reaped) runs nothing: gone too.
 */
export function processGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false; // 0 and -1 name groups, not a process
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/** Registers the worker or records that it is still alive. */
export async function heartbeat(db: Db, workerId: string, now: number): Promise<void> {
  await db.client.execute({
    sql: `INSERT INTO workers (id, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    args: [workerId, process.pid, pidScope().host, now, now],
  });
}

/** A graceful stop: the worker leaves (what it held was handed back by its loops). */
export async function unregister(db: Db, workerId: string): Promise<void> {
  await db.client.execute({ sql: 'DELETE FROM workers WHERE id = ?', args: [workerId] });
}

/**
 * Dead workers — silent for `deadAfterMs`, or registered in this pid namespace with their process
 * gone: their `sending` sends are due for settling as interrupted now (they may have reached
 * SMTP), their reserved sends go back to their contacts (due now), their running jobs can be
 * claimed again, and their row goes. Idempotent: two live workers releasing the same dead one do
 * the same thing.
 */
export async function releaseDeadWorkers(
  db: Db,
  now: number,
  deadAfterMs = DEAD_AFTER_MS,
): Promise<string[]> {
  const here = pidScope();
  const rows = await db.client.execute('SELECT id, pid, host, heartbeat_at FROM workers');
  const dead = rows.rows.filter(
    (r) =>
      Number(r.heartbeat_at) < now - deadAfterMs ||
      (here.scoped && String(r.host) === here.host && processGone(Number(r.pid))),
  );
  for (const row of dead) {
    const id = String(row.id);
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
        // kept if it beat meanwhile (it was only paused: its claims are gone, its fenced writes fail)
        {
          sql: 'DELETE FROM workers WHERE id = ? AND heartbeat_at = ?',
          args: [id, Number(row.heartbeat_at)],
        },
      ],
      'write',
    );
  }
  return dead.map((r) => String(r.id));
}
