/**
 * Crash recovery: sends a dead worker left `sending` (handed to SMTP, outcome unknown) are
 * settled `failed` with error `interrupted` once their lease ran out, never resent; the contact
 * goes on to its next step. A registered worker's sends wait until it is found dead
 * (queue/liveness.ts ends their lease at once); unowned leases simply run out.
 */
import { type Deps, eventStatement } from '@outreach/shared';
import { num, type Stmt, str } from './types';

/** Sends left `sending` past their lease: `failed` with error `interrupted`; the contact moves on. */
export async function settleInterrupted(deps: Deps, now: number): Promise<number> {
  // Nearly always nothing: a read first, so an idle tick does not take the write lock.
  const any = await deps.db.client.execute({
    sql: `SELECT 1 FROM sends WHERE status = 'sending' AND lease_until < ? LIMIT 1`,
    args: [now],
  });
  if (any.rows.length === 0) return 0;
  const res = await deps.db.client.execute({
    sql: `UPDATE sends SET status = 'failed', error = 'interrupted', lease_id = NULL, lease_until = NULL, updated_at = ?
          WHERE status = 'sending' AND lease_until < ?
            -- a live worker's message is its own to record (liveness, not the lease, says it died)
            AND NOT EXISTS (SELECT 1 FROM workers w WHERE substr(sends.lease_id, 1, length(w.id) + 1) = w.id || ':')
          RETURNING id, workspace_id, campaign_id, contact_id, step_id, to_email`,
    args: [now, now],
  });
  for (const r of res.rows) {
    const stepRes = await deps.db.client.execute({
      sql: 'SELECT campaign_id, subsequence_id, position FROM steps WHERE id = ?',
      args: [String(r.step_id)],
    });
    const step = stepRes.rows[0];
    const stmts: Stmt[] = [
      eventStatement(
        {
          workspaceId: num(r.workspace_id),
          type: 'send.failed',
          campaignId: str(r.campaign_id),
          contactId: str(r.contact_id),
          data: { sendId: str(r.id), stepId: str(r.step_id), email: str(r.to_email), error: 'interrupted' },
        },
        now,
      ) as Stmt,
    ];
    if (step) {
      // Never resent: the contact goes on as if the step had been sent, from its lease's end.
      const next = await nextDelayAfter(
        deps,
        String(step.campaign_id),
        str(step.subsequence_id),
        num(step.position),
      );
      stmts.push({
        sql: `UPDATE contacts SET current_step = MAX(current_step, ?), next_send_at = ?, updated_at = ?
              WHERE id = ? AND status = 'active'`,
        args: [num(step.position), now + (next ?? 0), now, String(r.contact_id)],
      });
    }
    await deps.db.client.batch(stmts, 'write');
  }
  return res.rows.length;
}

async function nextDelayAfter(deps: Deps, campaignId: string, subsequenceId: string | null, order: number) {
  const res = await deps.db.client.execute({
    sql: `SELECT delay_seconds FROM steps WHERE campaign_id = ? AND subsequence_id IS ? AND position > ?
          ORDER BY position LIMIT 1`,
    args: [campaignId, subsequenceId, order],
  });
  const row = res.rows[0];
  return row ? num(row.delay_seconds) * 1000 : null;
}
