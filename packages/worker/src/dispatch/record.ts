/**
 * The writes recording what SMTP answered, fenced by the claim's lease (a worker that lost its
 * claim writes nothing): accepted messages set-based, refusals one by one, and completions.
 */
import { backoffMs, type Deps, eventStatement, eventsSelect, newId } from '@outreach/shared';
import type { SendOutcome } from '../adapters/smtp';
import { nextStepFor } from './plan';
import { contactStatusStatements, contactsStatusStatements } from './status';
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
            data: { ...data, contactId: s.contact.id, email: s.contact.email },
          },
          now,
          { sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active'`, args: [s.contact.id] },
        ) as Stmt,
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
  const who = { workspaceId: r.workspaceId, campaignId: r.campaignId, contactId: s.contact.id };
  return {
    kind: 'bounced',
    stmts: [
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
            stopped: false,
          },
        },
        now,
        bounced,
      ) as Stmt,
      {
        sql: `UPDATE contacts SET current_step = MAX(current_step, ?), next_send_at = ?, updated_at = ?
              WHERE id = ? AND status = 'active' AND EXISTS (${bounced.sql})`,
        args: [s.step.order, now + (next?.delaySeconds ?? 0) * 1000, now, s.contact.id, ...bounced.args],
      },
      ...(next ? [] : completionStatements(who, s.contact.email, now)),
    ],
  };
}

/** A contact with no step left: `completed` with a contact.completed event (only if still active). */
export function completionStatements(
  who: { workspaceId: number; campaignId: string; contactId: string },
  email: string,
  now: number,
): Stmt[] {
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
      { sql: `SELECT 1 FROM contacts WHERE id = ? AND status = 'active'`, args: [who.contactId] },
    ) as Stmt,
    ...(contactStatusStatements(who, 'completed', 'sequence_finished', now) as Stmt[]),
  ];
}

export async function completeContact(
  deps: Deps,
  who: { workspaceId: number; campaignId: string; contactId: string },
  now: number,
) {
  const email = await deps.db.client.execute({
    sql: 'SELECT email FROM contacts WHERE id = ?',
    args: [who.contactId],
  });
  await deps.db.client.batch(completionStatements(who, String(email.rows[0]?.email ?? ''), now), 'write');
}

/**
 * The writes recording a chunk's accepted messages, set-based (a few statements whatever the
 * chunk's size), fenced by the claim's lease: sends `sent`, contacts advanced (the next step's
 * delay counted from this send, or due now when none is left), `send.sent` events; contacts
 * with no step left are completed with a `contact.completed` event.
 */
export function sentStatements(
  sent: { s: ReservedSend; at: number; last: boolean }[],
  lease: string,
): Stmt[] {
  const rows = sent.map(({ s, at }) => {
    const next = nextStepFor(s.steps, { currentStep: s.step.order, subsequenceId: s.contact.subsequenceId });
    const r = s.reservation;
    const data = {
      campaignId: r.campaignId,
      sendId: s.sendId,
      stepId: s.step.id,
      variantId: s.variantId,
      mailboxId: r.mailboxId,
      contactId: s.contact.id,
      email: s.contact.email,
      messageId: s.messageId,
    };
    return [
      s.sendId,
      s.contact.id,
      s.step.order,
      next ? at + next.delaySeconds * 1000 : at,
      at,
      newId('event', at),
      JSON.stringify(data),
      r.workspaceId,
      r.campaignId,
    ];
  });
  const j = JSON.stringify(rows);
  const mine = `EXISTS (SELECT 1 FROM sends s WHERE s.id = j.value->>0 AND s.lease_id = ? AND s.status = 'sent')`;
  const stmts: Stmt[] = [
    {
      sql: `UPDATE sends SET status = 'sent', error = NULL,
              sent_at = (SELECT j.value->>4 FROM json_each(?) j WHERE j.value->>0 = sends.id),
              updated_at = (SELECT j.value->>4 FROM json_each(?) j WHERE j.value->>0 = sends.id)
            WHERE id IN (SELECT j.value->>0 FROM json_each(?) j) AND lease_id = ? AND +status = 'sending'
            RETURNING id`,
      args: [j, j, j, lease],
    },
    {
      sql: `UPDATE contacts SET current_step = MAX(contacts.current_step, j.value->>2), last_sent_at = j.value->>4,
              next_send_at = CASE WHEN contacts.status = 'active' THEN j.value->>3 ELSE contacts.next_send_at END,
              updated_at = j.value->>4
            FROM json_each(?) j WHERE contacts.id = j.value->>1 AND ${mine}`,
      args: [j, lease],
    },
    eventsSelect(
      {
        id: 'j.value->>5',
        workspaceId: 'j.value->>7',
        type: "'send.sent'",
        campaignId: 'j.value->>8',
        contactId: 'j.value->>1',
        data: 'j.value->>6',
        createdAt: 'j.value->>4',
      },
      `FROM json_each(?) j WHERE ${mine}`,
      [j, lease],
    ) as Stmt,
  ];
  const done = sent.filter((x) => x.last);
  if (done.length > 0) {
    const at = done[done.length - 1]!.at;
    const completed = done.map(({ s }) => [
      s.contact.id,
      newId('event', at),
      JSON.stringify({
        campaignId: s.reservation.campaignId,
        contactId: s.contact.id,
        email: s.contact.email,
      }),
      s.reservation.workspaceId,
      s.reservation.campaignId,
    ]);
    stmts.push(
      eventsSelect(
        {
          id: 'j.value->>1',
          workspaceId: 'j.value->>3',
          type: "'contact.completed'",
          campaignId: 'j.value->>4',
          contactId: 'j.value->>0',
          data: 'j.value->>2',
          createdAt: '?',
        },
        "FROM json_each(?) j JOIN contacts c ON c.id = j.value->>0 WHERE c.status = 'active'",
        [at, JSON.stringify(completed)],
      ) as Stmt,
    );
    // one status change per workspace (a mailbox belongs to one workspace)
    const byWorkspace = new Map<number, string[]>();
    for (const { s } of done) {
      byWorkspace.set(s.reservation.workspaceId, [
        ...(byWorkspace.get(s.reservation.workspaceId) ?? []),
        s.contact.id,
      ]);
    }
    for (const [workspaceId, contactIds] of byWorkspace) {
      stmts.push(...contactsStatusStatements(workspaceId, contactIds, 'completed', 'sequence_finished', at));
    }
  }
  return stmts;
}
