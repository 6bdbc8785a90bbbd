/**
 * The inbox loop: every verified mailbox has one recurring `inbox_poll` job in the one job
 * queue (lease, `run_at` = last read + `OUTREACH_INBOX_POLL_SECONDS`), so N workers share M
 * mailboxes, each mailbox is read by one worker at a time, and a dead worker's mailboxes come
 * back when its leases run out. A failing login or network is recorded on the mailbox and
 * retried with backoff; the job never dies while the mailbox is verified.
 */
import { type Deps, metrics } from '@outreach/shared';
import { imapErrorText } from '../adapters/imap';
import { LeaseLost, pollMailbox } from '../inbox/poll';
import { endPoll, ensurePollJobs, failPoll, finishPoll, INBOX_POLL_JOB } from '../inbox/state';
import type { Loop } from '../loop';
import { claimJobs, type Job } from '../queue/jobs';

const LEASE_MS = 120_000;
/** mailboxes read at once by one worker. */
const PARALLEL = 4;
/** how often a worker looks for newly verified mailboxes. */
const ENSURE_EVERY_MS = 5000;

async function runPoll(deps: Deps, job: Job, leaseId: string): Promise<void> {
  const mailboxId = String(job.refId);
  const res = await deps.db.client.batch(
    [
      { sql: 'SELECT * FROM mailboxes WHERE id = ?', args: [mailboxId] },
      {
        sql: `INSERT INTO mailbox_inbox (mailbox_id, workspace_id, messages_seen, updated_at)
              SELECT id, workspace_id, 0, ? FROM mailboxes WHERE id = ? ON CONFLICT DO NOTHING`,
        args: [deps.clock.now(), mailboxId],
      },
      { sql: 'SELECT last_read_at FROM mailbox_inbox WHERE mailbox_id = ?', args: [mailboxId] },
    ],
    'write',
  );
  const row = res[0]!.rows[0];
  if (!row || row.status === 'unverified') return endPoll(deps.db, job, leaseId, deps.clock.now());
  const mailbox = {
    id: String(row.id),
    workspaceId: Number(row.workspace_id),
    address: String(row.address),
    imap: JSON.parse(String(row.imap)),
    imapPassword: String(row.imap_password),
    createdAt: Number(row.created_at),
  } as Parameters<typeof pollMailbox>[3];
  const lastRead = res[2]!.rows[0]?.last_read_at;
  const startedAt = Date.now();
  deps.log.debug('inbox poll start', { mailboxId, jobId: job.id });
  try {
    const report = await pollMailbox(deps, job, leaseId, mailbox, {
      leaseMs: LEASE_MS,
      lastReadAt: lastRead == null ? null : Number(lastRead),
    });
    const ms = Date.now() - startedAt;
    // per mailbox id, never an address
    metrics.imapReads.inc({ mailbox_id: mailboxId }, report.folders);
    for (const [kind, n] of [
      ['stored', report.stored],
      ['unmatched', report.unmatched],
      ['duplicate', report.duplicates],
      ['unreadable', report.unreadable],
    ] as const) {
      if (n > 0) metrics.imapMessages.inc({ mailbox_id: mailboxId, kind }, n);
    }
    if (report.fetched > 0) deps.log.info('inbox poll', { mailboxId, ms, ...report });
    else deps.log.debug('inbox poll', { mailboxId, ms, ...report });
    await finishPoll(deps, job, leaseId, deps.clock.now() + deps.config.inboxPollSeconds * 1000);
  } catch (err) {
    if (err instanceof LeaseLost) {
      deps.log.warn('inbox poll failed', { mailboxId, error: 'lease lost' });
      return; // another worker has the mailbox now
    }
    const error = imapErrorText(err);
    metrics.imapErrors.inc({ mailbox_id: mailboxId });
    deps.log.warn('inbox poll failed', { mailboxId, attempt: job.attempts, error });
    await failPoll(deps, job, leaseId, error);
  }
}

export function inboxLoop(): Loop {
  let ensuredAt = Number.NEGATIVE_INFINITY;
  return {
    name: 'inbox',
    intervalMs: (deps) => Math.min(1000, deps.config.inboxPollSeconds * 1000),
    async tick(deps, ctx) {
      const now = deps.clock.now();
      if (now - ensuredAt >= ENSURE_EVERY_MS || now < ensuredAt) {
        ensuredAt = now;
        await ensurePollJobs(deps.db, now);
      }
      while (!ctx.stopping()) {
        const { leaseId, jobs } = await claimJobs(deps.db, {
          kinds: [INBOX_POLL_JOB],
          limit: PARALLEL,
          leaseMs: LEASE_MS,
          now: deps.clock.now(),
        });
        if (jobs.length === 0) break;
        await Promise.all(jobs.map((j) => runPoll(deps, j, leaseId)));
      }
    },
  };
}
