/**
 * The inbox loop's rows: one recurring `inbox_poll` job per verified mailbox, each mailbox's
 * folder cursors, and its inbox state (`inbox` on GET /mailboxes/{id}).
 */
import type { InStatement } from '@libsql/client';
import { backoffMs, type Db, type Deps, newId, type SqlGuard, sqlId } from '@outreach/shared';
import type { FolderCursor } from '../adapters/imap';
import type { Job } from '../queue/jobs';

export const INBOX_POLL_JOB = 'inbox_poll';

/** The job's lease, as a condition every write of a poll carries (a lost lease writes nothing). */
export function leaseGuard(job: Job, leaseId: string): SqlGuard {
  return {
    sql: "EXISTS (SELECT 1 FROM jobs WHERE id = ? AND lease_id = ? AND state = 'running')",
    args: [job.id, leaseId],
  };
}

/**
 * Gives every verified mailbox without a live poll job one (and its inbox state row). One
 * statement each: SQLite runs writes one at a time, so two workers cannot both insert a job.
 */
export async function ensurePollJobs(db: Db, now: number): Promise<number> {
  const jobId = sqlId('job', now, { orderBy: 'm.id' });
  const [, jobs] = await db.client.batch(
    [
      {
        sql: `INSERT INTO mailbox_inbox (mailbox_id, workspace_id, messages_seen, updated_at)
              SELECT id, workspace_id, 0, ? FROM mailboxes WHERE status = 'verified' ON CONFLICT DO NOTHING`,
        args: [now],
      },
      {
        sql: `INSERT INTO jobs (id, workspace_id, kind, ref_id, payload, state, priority, run_at, attempts, max_attempts, created_at)
              SELECT ${jobId.sql}, m.workspace_id, ?, m.id,
                json_object('mailboxId', m.id), 'queued', 0, ?, 0, 1000000, ?
              FROM mailboxes m
              WHERE m.status = 'verified' AND NOT EXISTS (
                SELECT 1 FROM jobs j WHERE j.kind = ? AND j.ref_id = m.id AND j.state IN ('queued', 'running', 'retry'))`,
        args: [jobId.prefix, INBOX_POLL_JOB, now, now, INBOX_POLL_JOB],
      },
    ],
    'write',
  );
  return jobs!.rowsAffected;
}

export async function loadCursors(db: Db, mailboxId: string): Promise<Map<string, FolderCursor>> {
  const res = await db.client.execute({
    sql: 'SELECT path, uid_validity, last_uid FROM imap_folders WHERE mailbox_id = ?',
    args: [mailboxId],
  });
  return new Map(
    res.rows.map((r) => [
      String(r.path),
      { uidValidity: String(r.uid_validity), lastUid: Number(r.last_uid) },
    ]),
  );
}

/** The cursor advance of one folder, fenced by the lease (in the batch of the mails it covers). */
export function cursorStatement(
  mailboxId: string,
  path: string,
  cursor: FolderCursor,
  now: number,
  guard: SqlGuard,
): InStatement {
  return {
    sql: `INSERT INTO imap_folders (mailbox_id, path, uid_validity, last_uid, updated_at)
          SELECT ?, ?, ?, ?, ? WHERE ${guard.sql}
          ON CONFLICT (mailbox_id, path) DO UPDATE SET
            uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
    args: [mailboxId, path, cursor.uidValidity, cursor.lastUid, now, ...guard.args],
  };
}

export function seenStatement(mailboxId: string, n: number, now: number, guard: SqlGuard): InStatement {
  return {
    sql: `UPDATE mailbox_inbox SET messages_seen = messages_seen + ?, updated_at = ? WHERE mailbox_id = ? AND ${guard.sql}`,
    args: [n, now, mailboxId, ...guard.args],
  };
}

/** A read went through: the state is clean again, and the next poll comes after the interval. */
export async function finishPoll(deps: Deps, job: Job, leaseId: string, nextRunAt: number): Promise<boolean> {
  const now = deps.clock.now();
  const [, res] = await deps.db.client.batch(
    [
      {
        sql: `UPDATE mailbox_inbox SET last_read_at = ?, last_error = NULL, updated_at = ?
              WHERE mailbox_id = ? AND ${leaseGuard(job, leaseId).sql}`,
        args: [now, now, String(job.refId), job.id, leaseId],
      },
      {
        sql: `UPDATE jobs SET state = 'queued', run_at = ?, attempts = 0, error = NULL, lease_id = NULL, lease_until = NULL
              WHERE id = ? AND lease_id = ? RETURNING id`,
        args: [nextRunAt, job.id, leaseId],
      },
    ],
    'write',
  );
  return res!.rows.length > 0;
}

/**
 * A login or network failure: kept on the mailbox (`inbox.lastError`), a `mailbox.error` event
 * when it starts failing (or fails differently), and the poll retried with backoff — never dead.
 */
export async function failPoll(deps: Deps, job: Job, leaseId: string, error: string): Promise<void> {
  const now = deps.clock.now();
  const mailboxId = String(job.refId);
  const delay = backoffMs(job.attempts, { baseMs: 5000, maxMs: 15 * 60_000, jitter: 'equal' }, deps.rng);
  const text = error.slice(0, 500);
  await deps.db.client.batch(
    [
      {
        sql: `INSERT INTO events (id, workspace_id, type, campaign_id, contact_id, data, created_at)
              SELECT ?, i.workspace_id, 'mailbox.error', NULL, NULL,
                json_object('mailboxId', m.id, 'address', m.address, 'side', 'imap', 'error', ?), ?
              FROM mailbox_inbox i JOIN mailboxes m ON m.id = i.mailbox_id
              WHERE i.mailbox_id = ? AND (i.last_error IS NULL OR i.last_error != ?)
                AND EXISTS (SELECT 1 FROM jobs WHERE id = ? AND lease_id = ?)`,
        args: [newId('event', now), text, now, mailboxId, text, job.id, leaseId],
      },
      {
        sql: `UPDATE mailbox_inbox SET last_error = ?, updated_at = ?
              WHERE mailbox_id = ? AND EXISTS (SELECT 1 FROM jobs WHERE id = ? AND lease_id = ?)`,
        args: [text, now, mailboxId, job.id, leaseId],
      },
      {
        sql: `UPDATE jobs SET state = 'retry', run_at = ?, error = ?, lease_id = NULL, lease_until = NULL
              WHERE id = ? AND lease_id = ?`,
        args: [now + delay, text, job.id, leaseId],
      },
    ],
    'write',
  );
}

/** The mailbox is gone or no longer verified: its poll job ends (a new one starts once verified). */
export async function endPoll(db: Db, job: Job, leaseId: string, now: number): Promise<void> {
  await db.client.execute({
    sql: `UPDATE jobs SET state = 'succeeded', finished_at = ?, lease_id = NULL, lease_until = NULL
          WHERE id = ? AND lease_id = ?`,
    args: [now, job.id, leaseId],
  });
}
