/**
 * The writes recording what SMTP answered, fenced by the claim's lease (a worker that lost its
 * claim writes nothing): accepted messages set-based, refusals one by one, and completions.
 */
import {
  backoffMs,
  type Deps,
  type EventInput,
  eventStatement,
  eventsStatement,
  type RawStatement,
  statusChangedEvent,
} from '@outreach/shared';
import type { SendOutcome } from '../adapters/smtp';
import { nextStepFor } from './plan';
import { contactStatusStatements } from './status';
import type { ReservedSend, ResolvedOptions, Stmt } from './types';

export type Refusal = 'bounced' | 'retried' | 'failed';

/**
 * The writes recording one refusal, fenced by the claim's lease; the first statement returns
 * the send's id when the fence held. 5xx: send and contact bounced, `contact.bounced`.
 * Temporary: back to `scheduled` with the contact pushed by backoff, or after the last attempt
 * `failed` with `send.failed` and the contact failed. (Accepted messages: {@link sentStatements}.)
 */
export function refusalStatements(
  deps: Deps,
  opts: ResolvedOptions,
  s: ReservedSend,
  lease: string,
  attempts: number,
  outcome: SendOutcome & { ok: false },
  now: number,
): { kind: Refusal; stmts: Stmt[] } {
  const r = s.reservation;
  const who = { workspaceId: r.workspaceId, campaignId: r.campaignId, contactId: s.contact.id };
  if (outcome.permanent && !s.stopOnBounce) return bounceAndGoOn(s, lease, outcome, now);
  if (outcome.permanent) {
    const data = { sendId: s.sendId, stepId: s.step.id, error: outcome.error };
    return {
      kind: 'bounced',
      stmts: [
        ...bouncedSend(
          s,
          lease,
          outcome,
          now,
          {},
          {
            sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active'`,
            args: [s.contact.id],
          },
        ),
        ...contactStatusStatements(who, 'bounced', 'smtp_rejected', now, data),
      ],
    };
  }

  if (attempts < opts.maxAttempts) {
    const retryAt =
      now +
      backoffMs(attempts, { baseMs: opts.retryBaseMs, maxMs: opts.retryMaxMs, jitter: 'equal' }, deps.rng);
    return {
      kind: 'retried',
      stmts: [
        {
          sql: `UPDATE sends SET status = 'scheduled', error = ?, lease_id = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
          args: [outcome.error, now, s.sendId, lease],
        },
        {
          sql: `UPDATE contacts SET next_send_at = ?, updated_at = ?
                WHERE id = ? AND status = 'active' AND EXISTS (
                  SELECT 1 FROM sends WHERE id = ? AND status = 'scheduled' AND lease_id IS NULL AND updated_at = ?)`,
          args: [retryAt, now, s.contact.id, s.sendId, now],
        },
      ],
    };
  }
  return {
    kind: 'failed',
    stmts: [
      {
        sql: `UPDATE sends SET status = 'failed', error = ?, lease_id = NULL, lease_until = NULL, updated_at = ?
              WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
        args: [outcome.error, now, s.sendId, lease],
      },
      eventStatement(
        {
          workspaceId: r.workspaceId,
          type: 'send.failed',
          campaignId: r.campaignId,
          contactId: s.contact.id,
          data: {
            sendId: s.sendId,
            stepId: s.step.id,
            contactId: s.contact.id,
            email: s.contact.email,
            error: outcome.error,
          },
        },
        now,
        {
          sql: `SELECT 1 FROM sends WHERE id = ? AND status = 'failed' AND updated_at = ?`,
          args: [s.sendId, now],
        },
      ) as Stmt,
      // retries used up: the contact is failed (a follow-up of an unsent message makes no sense)
      ...contactStatusStatements(who, 'failed', 'send_failed', now, {
        sendId: s.sendId,
        stepId: s.step.id,
        error: outcome.error,
      }),
    ],
  };
}

/**
 * A 5xx under `stopOnBounce: false`: the send stays `bounced` (with `contact.bounced`, marked
 * `stopped: false`) and the contact goes on to its next step, or is completed after the last.
 */
function bounceAndGoOn(
  s: ReservedSend,
  lease: string,
  outcome: SendOutcome & { ok: false },
  now: number,
): { kind: Refusal; stmts: Stmt[] } {
  const r = s.reservation;
  const next = nextStepFor(s.steps, { currentStep: s.step.order, subsequenceId: s.contact.subsequenceId });
  const bounced: Stmt = {
    sql: `SELECT 1 FROM sends WHERE id = ? AND lease_id = ? AND status = 'bounced'`,
    args: [s.sendId, lease],
  };
  // a contact routed into a subsequence while this message was in flight neither moves on
  // nor is completed by it (the subsequence starts afresh), as after a sent message
  const who = {
    workspaceId: r.workspaceId,
    campaignId: r.campaignId,
    contactId: s.contact.id,
    subsequenceId: s.contact.subsequenceId,
  };
  return {
    kind: 'bounced',
    stmts: [
      ...bouncedSend(s, lease, outcome, now, { stopped: false }, bounced),
      {
        sql: `UPDATE contacts SET current_step = MAX(current_step, ?), next_send_at = ?, updated_at = ?
              WHERE id = ? AND status = 'active' AND subsequence_id IS ? AND EXISTS (${bounced.sql})`,
        args: [
          s.step.order,
          now + (next?.delaySeconds ?? 0) * 1000,
          now,
          s.contact.id,
          s.contact.subsequenceId,
          ...bounced.args,
        ],
      },
      ...(next ? [] : completionStatements(who, s.contact.email, now)),
    ],
  };
}

/** The send marked `bounced` (fenced by the lease) and its `contact.bounced` event, if `onlyIf`. */
function bouncedSend(
  s: ReservedSend,
  lease: string,
  outcome: SendOutcome & { ok: false },
  now: number,
  extra: Record<string, unknown>,
  onlyIf: Stmt,
): Stmt[] {
  const r = s.reservation;
  return [
    {
      sql: `UPDATE sends SET status = 'bounced', error = ?, updated_at = ?
            WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
      args: [outcome.error, now, s.sendId, lease],
    },
    eventStatement(
      {
        workspaceId: r.workspaceId,
        type: 'contact.bounced',
        campaignId: r.campaignId,
        contactId: s.contact.id,
        data: {
          sendId: s.sendId,
          stepId: s.step.id,
          error: outcome.error,
          contactId: s.contact.id,
          email: s.contact.email,
          ...extra,
        },
      },
      now,
      onlyIf as RawStatement,
    ) as Stmt,
  ];
}

/** A contact with no step left: `completed` with a contact.completed event (only if still active). */
export function completionStatements(
  who: { workspaceId: number; campaignId: string; contactId: string; subsequenceId?: string | null },
  email: string,
  now: number,
): Stmt[] {
  const same = who.subsequenceId === undefined ? '' : " AND coalesce(subsequence_id, '') = ?";
  return [
    eventStatement(
      {
        workspaceId: who.workspaceId,
        type: 'contact.completed',
        campaignId: who.campaignId,
        contactId: who.contactId,
        data: { contactId: who.contactId, email },
      },
      now,
      {
        sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active'${same}`,
        args: who.subsequenceId === undefined ? [who.contactId] : [who.contactId, who.subsequenceId ?? ''],
      },
    ) as Stmt,
    ...(contactStatusStatements(who, 'completed', 'sequence_finished', now) as Stmt[]),
  ];
}

/**
 * Completes a contact the planner found with no step left in the sequence it was loaded in
 * (`subsequenceId`): a contact routed into a subsequence since then is left to it.
 */
export async function completeContact(
  deps: Deps,
  who: { workspaceId: number; campaignId: string; contactId: string; subsequenceId: string | null },
  now: number,
) {
  const email = await deps.db.client.execute({
    sql: 'SELECT email FROM contacts WHERE id = ?',
    args: [who.contactId],
  });
  await deps.db.client.batch(completionStatements(who, String(email.rows[0]?.email ?? ''), now), 'write');
}

/**
 * The writes recording one accepted message, fenced by the claim's lease: the send `sent`, then
 * (only if it is) `send.sent`, and the contact advanced (the next step's delay counted from this
 * send, or due now when none is left). After the last step the contact, if still active, is
 * completed in the same writes: `contact.completed` and its `contact.status_changed` event go
 * in the one events statement, its waiting sends (if any) are canceled and the status is set
 * in the contact's update (the contacts service's status change, written for this hot path:
 * three statements instead of six; the claim is the fourth).
 */
export function sentStatements(s: ReservedSend, lease: string, at: number, last: boolean): Stmt[] {
  const r = s.reservation;
  const next = nextStepFor(s.steps, { currentStep: s.step.order, subsequenceId: s.contact.subsequenceId });
  const sent: Stmt = {
    sql: `SELECT 1 FROM sends WHERE id = ? AND lease_id = ? AND status = 'sent'`,
    args: [s.sendId, lease],
  };
  // a contact routed into a subsequence while this message was in flight is not completed by it
  const active: Stmt = {
    sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active' AND subsequence_id IS ?`,
    args: [s.contact.id, s.contact.subsequenceId],
  };
  const who = { workspaceId: r.workspaceId, campaignId: r.campaignId, contactId: s.contact.id };
  const events: (EventInput & { guarded?: boolean })[] = [
    {
      ...who,
      type: 'send.sent',
      data: {
        sendId: s.sendId,
        stepId: s.step.id,
        variantId: s.variantId,
        mailboxId: r.mailboxId,
        contactId: s.contact.id,
        email: s.contact.email,
        messageId: s.messageId,
      },
    },
  ];
  if (last) {
    const email = s.contact.email;
    events.push(
      { ...who, type: 'contact.completed', data: { contactId: s.contact.id, email }, guarded: true },
      {
        ...statusChangedEvent(
          { ...who, email },
          { from: 'active', to: 'completed', reason: 'sequence_finished' },
        ),
        guarded: true,
      },
    );
  }
  return [
    {
      sql: `UPDATE sends SET status = 'sent', sent_at = ?, error = NULL, updated_at = ?
            WHERE id = ? AND lease_id = ? AND status = 'sending' RETURNING id`,
      args: [at, at, s.sendId, lease],
    },
    eventsStatement(events, at, sent, active) as Stmt,
    ...(last
      ? [
          {
            // a completed contact has nothing left to wait for
            sql: `UPDATE sends SET status = 'canceled', updated_at = ?
                  WHERE contact_id = ? AND +status IN ('queued', 'scheduled') AND EXISTS (${active.sql})
                    AND EXISTS (${sent.sql})`,
            args: [at, s.contact.id, ...active.args, ...sent.args],
          },
        ]
      : []),
    {
      sql: `UPDATE contacts SET current_step = MAX(current_step, ?), last_sent_at = ?,
              next_send_at = CASE WHEN status = 'active' THEN ? ELSE next_send_at END,
              ${last ? `status = CASE WHEN status = 'active' THEN 'completed' ELSE status END,` : ''} updated_at = ?
            WHERE id = ? AND subsequence_id IS ? AND EXISTS (${sent.sql})`,
      args: [
        s.step.order,
        at,
        next ? at + next.delaySeconds * 1000 : at,
        at,
        s.contact.id,
        s.contact.subsequenceId, // a contact routed into a subsequence meanwhile starts it afresh
        ...sent.args,
      ],
    },
  ];
}
