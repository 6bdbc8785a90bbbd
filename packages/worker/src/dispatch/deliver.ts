/**
 * Delivering one chunk of a mailbox's queue: the claim (`scheduled → sending`, fenced by the
 * reservation token; sends suppressed meanwhile canceled in the same write), SMTP one message
 * after the other over the mailbox's pooled connection, then the outcomes recorded.
 */
import { randomUUID } from 'node:crypto';
import { buildMail, type Deps, type OutgoingMail, unsubscribeTargets } from '@outreach/shared';
import type { SendOutcome } from '../adapters/smtp';
import { nextStepFor } from './plan';
import { type Refusal, refusalStatements, sentStatements } from './record';
import { onSuppressionList, suppressContacts } from './suppressed';
import { num, type ReservedSend, type ResolvedOptions, type Stmt, type TickReport } from './types';

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
 * One chunk of a mailbox's queue: claimed `scheduled → sending` in one statement (only rows
 * still reserved by us whose contact and campaign are still active), sent one after the other
 * over the mailbox's pooled connection, then every outcome written in one batch.
 */
export async function deliverChunk(
  deps: Deps,
  opts: ResolvedOptions,
  chunk: ReservedSend[],
  report: TickReport,
) {
  const db = deps.db.client;
  const lease = randomUUID();
  const claimedAt = deps.clock.now();
  const chunkIds = JSON.stringify(chunk.map((s) => s.sendId));
  const tokens = JSON.stringify(chunk.map((s) => [s.sendId, s.token]));
  const ours = `id IN (SELECT value FROM json_each(?)) AND +status = 'scheduled'
            AND lease_id = (SELECT j.value->>1 FROM json_each(?) j WHERE j.value->>0 = sends.id)`;
  // One write: sends whose address was suppressed meanwhile are canceled, the rest claimed.
  const [canceled, claim] = await db.batch(
    [
      {
        sql: `UPDATE sends SET status = 'canceled', error = 'suppressed', lease_id = NULL, lease_until = NULL, updated_at = ?
              WHERE ${ours} AND ${onSuppressionList('sends.to_email', 'sends.workspace_id')}
              RETURNING contact_id`,
        args: [claimedAt, chunkIds, tokens],
      },
      {
        sql: `UPDATE sends SET status = 'sending', lease_id = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
          WHERE ${ours}
            AND EXISTS (SELECT 1 FROM contacts c WHERE c.id = sends.contact_id AND c.status = 'active')
            AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = sends.campaign_id AND k.status = 'active')
          RETURNING id, attempts`,
        args: [lease, claimedAt + opts.sendLeaseMs, claimedAt, chunkIds, tokens],
      },
    ],
    'write',
  );
  if (canceled!.rows.length > 0) {
    const workspaceId = chunk[0]!.reservation.workspaceId; // one mailbox: one workspace
    await suppressContacts(
      deps,
      canceled!.rows.map((r) => ({ workspaceId, contactId: String(r.contact_id) })),
      claimedAt,
    );
  }
  const attemptsOf = new Map(claim!.rows.map((r) => [String(r.id), num(r.attempts)]));
  report.skipped += chunk.length - attemptsOf.size;
  const writes: { kind: Refusal; first: number }[] = [];
  const stmts: Stmt[] = [];
  const sent: { s: ReservedSend; at: number; last: boolean }[] = [];
  for (const s of chunk) {
    const attempts = attemptsOf.get(s.sendId);
    if (attempts === undefined) continue;
    let outcome: SendOutcome;
    let final = false;
    let mail: OutgoingMail | null = null;
    try {
      mail = mailFor(deps, s);
      const transport = opts.transports.get(s.mailbox, () => deps.secrets.decrypt(s.mailbox.smtpPassword));
      outcome = await transport.send(mail);
    } catch (err) {
      // A template that cannot render will not get better (the send fails for good); a mailbox
      // whose transport cannot be made (e.g. its password cannot be read) is retried.
      final = mail === null;
      outcome = {
        ok: false,
        permanent: false,
        code: null,
        error: `${final ? 'render' : 'transport'}: ${(err as Error).message}`,
      };
    }
    const at = deps.clock.now();
    if (outcome.ok) {
      const next = nextStepFor(s.steps, {
        currentStep: s.step.order,
        subsequenceId: s.contact.subsequenceId,
      });
      sent.push({ s, at, last: !next });
      continue;
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
    writes.push({ kind: out.kind, first: stmts.length });
    stmts.push(...out.stmts);
  }
  const sentFirst = stmts.length;
  if (sent.length > 0) stmts.push(...sentStatements(sent, lease));
  if (stmts.length === 0) return;
  // The messages are out: record them even if the database is busy for a while (the batch is
  // atomic and fenced, so running it again is safe). Unrecorded, they end `interrupted`.
  let results: Awaited<ReturnType<typeof db.batch>> | undefined;
  for (let attempt = 1; !results; attempt++) {
    try {
      results = await db.batch(stmts, 'write');
    } catch (err) {
      if (attempt >= 5) throw err;
      deps.log.warn('recording sends failed, retrying', { attempt, err });
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  for (const w of writes) {
    if (results[w.first]!.rows.length === 0) continue; // lease lost: another worker settled it
    if (w.kind === 'bounced') report.bounced++;
    else if (w.kind === 'retried') report.retried++;
    else report.failed++;
  }
  if (sent.length > 0) {
    report.sent += results[sentFirst]!.rows.length;
    report.completedContacts += sent.filter((x) => x.last).length;
  }
}
