/**
 * Delivering one mailbox's queue, one message at a time over its pooled connection. A send is
 * claimed at the SMTP boundary: `scheduled → sending` just before its message is handed to
 * SMTP (fenced by the reservation token; contact and campaign still active; a send whose address
 * was suppressed meanwhile is canceled instead, in the same write). Its outcome is written as
 * soon as SMTP answers, in the same write as the next send's claim. So `sending` means "may have
 * reached the SMTP server": a worker killed at any point leaves at most one such send per mailbox
 * (settled `interrupted` by recovery); the rest of its queue stays `scheduled` and is sent once,
 * by whichever worker reserves it again.
 */
import type { ResultSet } from '@libsql/client';
import {
  buildMail,
  type Deps,
  type OutgoingMail,
  onSuppressionList,
  unsubscribeTargets,
} from '@outreach/shared';
import type { SendOutcome } from '../adapters/smtp';
import { leaseId } from '../queue/liveness';
import { nextStepFor } from './plan';
import { type Refusal, refusalStatements, sentStatements } from './record';
import { suppressContacts } from './suppressed';
import { num, type ReservedSend, type ResolvedOptions, type Stmt, type TickReport } from './types';
import type { GroupWriter } from './writer';

export interface QueuedSend {
  s: ReservedSend;
  report: TickReport;
  opts: ResolvedOptions;
}

/** The message of a reserved send (rendering may throw: the send then fails for good). */
export function mailFor(deps: Deps, s: ReservedSend): OutgoingMail {
  return buildMail({
    sendId: s.sendId,
    messageId: s.messageId,
    contact: s.contact,
    step: s.step,
    variantId: s.variantId,
    sender: s.mailbox,
    earlier: s.earlier,
    unsubscribe: unsubscribeTargets(deps.config.publicUrl, deps.secrets, s.sendId, s.mailbox.address),
  });
}

/**
 * The claim of one send, one statement: handed over (`sending`, a fresh lease, an attempt
 * counted) when the contact and the campaign are still active, or `canceled` when its address
 * was suppressed meanwhile; fenced by the reservation token. Returns the new status.
 */
function claimStatement(q: QueuedSend, lease: string, now: number): Stmt {
  return {
    sql: `UPDATE sends SET
            status = CASE WHEN x.hit THEN 'canceled' ELSE 'sending' END,
            error = CASE WHEN x.hit THEN 'suppressed' ELSE sends.error END,
            lease_id = CASE WHEN x.hit THEN NULL ELSE ? END,
            lease_until = CASE WHEN x.hit THEN NULL ELSE ? END,
            attempts = sends.attempts + CASE WHEN x.hit THEN 0 ELSE 1 END,
            updated_at = ?
          FROM (SELECT s.id, ${onSuppressionList('s.to_email', 's.workspace_id')} AS hit FROM sends s WHERE s.id = ?) x
          WHERE sends.id = x.id AND +sends.status = 'scheduled' AND sends.lease_id = ?
            AND (x.hit OR (EXISTS (SELECT 1 FROM contacts c WHERE c.id = sends.contact_id AND c.status = 'active')
              AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = sends.campaign_id AND k.status = 'active')))
          RETURNING sends.status, sends.attempts`,
    args: [lease, now + q.opts.sendLeaseMs, now, q.s.sendId, q.s.token],
  };
}

/** A recorded outcome waiting for its write, and how to count it once written. */
interface Recording {
  stmts: Stmt[];
  count: (results: ResultSet[]) => void;
}

/** The writes recording what SMTP answered for one claimed send. */
function recording(
  deps: Deps,
  q: QueuedSend,
  lease: string,
  attempts: number,
  outcome: SendOutcome,
  final: boolean,
  at: number,
): Recording {
  const { s, report, opts } = q;
  if (outcome.ok) {
    const last = !nextStepFor(s.steps, { currentStep: s.step.order, subsequenceId: s.contact.subsequenceId });
    return {
      stmts: sentStatements(s, lease, at, last),
      count: (r) => {
        report.sent += r[0]!.rows.length;
        if (last) report.completedContacts++;
      },
    };
  }
  const out = refusalStatements(
    deps,
    final ? { ...opts, maxAttempts: 0 } : opts,
    s,
    lease,
    attempts,
    outcome,
    at,
  );
  const kind: Refusal = out.kind;
  return {
    stmts: out.stmts,
    count: (r) => {
      if (r[0]!.rows.length === 0) return; // lease lost: another worker settled it
      if (kind === 'bounced') report.bounced++;
      else if (kind === 'retried') report.retried++;
      else report.failed++;
    },
  };
}

/** Sends one claimed message; never throws. `final`: the send cannot succeed later (render). */
async function send(deps: Deps, q: QueuedSend): Promise<{ outcome: SendOutcome; final: boolean }> {
  let mail: OutgoingMail | null = null;
  try {
    mail = mailFor(deps, q.s);
    const transport = await q.opts.transports.get(q.s.mailbox, () =>
      deps.secrets.decrypt(q.s.mailbox.smtpPassword),
    );
    return { outcome: await transport.send(mail), final: false };
  } catch (err) {
    // A template that cannot render will not get better (the send fails for good); a mailbox
    // whose transport cannot be made (e.g. its password cannot be read) is retried.
    const final = mail === null;
    const error = `${final ? 'render' : 'transport'}: ${(err as Error).message}`;
    return { outcome: { ok: false, permanent: false, code: null, error }, final };
  }
}

/**
 * Works `queue` (appended to by later ticks while it runs) until it is empty or `stopping()`;
 * returns the sends left unclaimed (for the caller to release). `taken` runs after each send is
 * taken off the queue.
 */
export async function deliverQueue(
  deps: Deps,
  writer: GroupWriter,
  queue: QueuedSend[],
  stopping: () => boolean,
  taken: () => void,
): Promise<QueuedSend[]> {
  let previous: Recording | null = null;
  for (;;) {
    const q = stopping() ? undefined : queue.shift();
    if (q) taken();
    const lease = leaseId(q?.opts.workerId);
    const now = deps.clock.now();
    const stmts = previous ? [...previous.stmts] : [];
    if (q) stmts.push(claimStatement(q, lease, now));
    let results: ResultSet[];
    try {
      results = await writer.write(stmts);
    } catch (err) {
      // Unrecorded, the previous message ends `interrupted`; the claim did not happen.
      deps.log.error('recording a send failed', { err });
      previous = null;
      if (!q) break;
      continue;
    }
    previous?.count(results.slice(0, previous.stmts.length));
    previous = null;
    if (!q) break;
    const claimed = results.at(-1)!.rows[0];
    if (claimed?.status === 'canceled') {
      const workspaceId = q.s.reservation.workspaceId;
      await suppressContacts(deps, [{ workspaceId, contactId: q.s.contact.id }], now);
    }
    if (claimed?.status !== 'sending') {
      q.report.skipped++;
      continue;
    }
    const { outcome, final } = await send(deps, q);
    previous = recording(deps, q, lease, num(claimed.attempts), outcome, final, deps.clock.now());
  }
  return queue.splice(0);
}
