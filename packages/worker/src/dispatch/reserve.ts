/**
 * Reserving the planned slots of a tick, in two write transactions whatever their number: the
 * compare-and-set of every campaign mailbox's `next_available_at` (a slot another worker took
 * is dropped), then for each slot won the send rows (`scheduled`, with our Message-ID and a
 * reservation token; the 24 h limits and the suppression list re-checked inside the statement,
 * so neither two workers nor a stale plan can exceed them), the rotation counter and the
 * contacts (sticky sender, held for `holdMs`). Statements run in plan order, so a later
 * reservation's limit check sees the earlier ones' rows. Also the reads a reserved send needs
 * (mailbox, thread).
 */
import type { ResultSet } from '@libsql/client';
import { type Deps, emailDomain, newId, onSuppressionList } from '@outreach/shared';
import { leaseId } from '../queue/liveness';
import type { Reservation } from './plan';
import {
  DAY_MS,
  json,
  type LoadedState,
  type MailboxRow,
  num,
  type ReservedSend,
  type Stmt,
  str,
} from './types';

export async function reserveAll(
  deps: Deps,
  loaded: LoadedState,
  planned: { mailbox: MailboxRow; r: Reservation }[],
  now: number,
  holdMs: number,
  owner?: string,
): Promise<ReservedSend[]> {
  if (planned.length === 0) return [];
  const db = deps.db.client;
  const cas = await db.batch(
    planned.map(({ r }) => ({
      sql: `UPDATE campaign_mailboxes SET next_available_at = ?
            WHERE id = ? AND next_available_at = ? AND state = 'active' RETURNING id`,
      args: [r.nextAvailableAt, r.campaignMailboxId, r.expectedNextAvailableAt],
    })),
    'write',
  );
  // a slot another worker took is not ours
  const won = planned.filter((_, i) => cas[i]!.rows.length > 0);
  if (won.length === 0) return [];
  const parts = won.map(({ mailbox, r }) => reservationStatements(loaded, mailbox, r, now, holdMs, owner));
  const results = await db.batch(
    parts.flatMap((p) => p.stmts),
    'write',
  );
  const out: ReservedSend[] = [];
  let at = 0;
  for (const p of parts) {
    out.push(...p.collect(results[at]!));
    at += p.stmts.length;
  }
  return out;
}

function reservationStatements(
  loaded: LoadedState,
  mailbox: MailboxRow,
  r: Reservation,
  now: number,
  holdMs: number,
  owner?: string,
): { stmts: Stmt[]; collect: (inserted: ResultSet) => ReservedSend[] } {
  const token = leaseId(owner);
  const domain = emailDomain(mailbox.address) || 'outreach.invalid';
  const rows = r.sends.map((s) => {
    const id = newId('send', now);
    return [id, s.contactId, s.stepId, s.variantId, `<${id}@${domain}>`, s.stepOrder];
  });
  const since = now - DAY_MS;
  const newIds = r.sends.filter((s) => s.isNew).map((s) => s.contactId);
  const allIds = r.sends.map((s) => s.contactId);
  const stmts: Stmt[] = [
    {
      // The limits are checked again inside the write: the counts the planner saw may be stale.
      sql: `INSERT INTO sends (id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id,
                campaign_mailbox_id, to_email, status, attempts, scheduled_at, message_id, lease_id, lease_until,
                created_at, updated_at)
              SELECT j.value->>0, ?, ?, c.id, j.value->>2, j.value->>3, ?, ?, c.email, 'scheduled', 0, ?, j.value->>4,
                     ?, ?, ?, ?
              FROM json_each(?) j JOIN contacts c ON c.id = j.value->>1
              WHERE c.status = 'active' AND c.next_send_at <= ? AND c.current_step < j.value->>5
                AND (c.mailbox_id IS NULL OR c.mailbox_id = ?)
                AND NOT ${onSuppressionList('c.email', 'c.workspace_id')}
                AND j.key < MIN(
                  ? - (SELECT count(*) FROM sends WHERE campaign_mailbox_id = ? AND scheduled_at > ?
                        AND status NOT IN ('canceled', 'skipped')),
                  ? - (SELECT count(*) FROM sends WHERE mailbox_id = ? AND scheduled_at > ?
                        AND status NOT IN ('canceled', 'skipped')))
              ON CONFLICT (contact_id, step_id) DO UPDATE SET
                scheduled_at = excluded.scheduled_at, lease_id = excluded.lease_id,
                lease_until = excluded.lease_until, updated_at = excluded.updated_at
              WHERE sends.status = 'scheduled' AND sends.mailbox_id = excluded.mailbox_id
              RETURNING id, contact_id, message_id`,
      args: [
        r.workspaceId,
        r.campaignId,
        r.mailboxId,
        r.campaignMailboxId,
        now,
        token,
        now + holdMs,
        now,
        now,
        JSON.stringify(rows),
        now,
        r.mailboxId,
        r.cmbDailyLimit,
        r.campaignMailboxId,
        since,
        r.mailboxDailyLimit,
        r.mailboxId,
        since,
      ],
    },
    {
      sql: `UPDATE campaign_mailboxes SET assigned_contacts = assigned_contacts + (
                SELECT count(*) FROM contacts c WHERE c.id IN (SELECT value FROM json_each(?)) AND c.mailbox_id IS NULL
                  AND EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = c.id AND s.lease_id = ?))
              WHERE id = ?`,
      args: [JSON.stringify(newIds), token, r.campaignMailboxId],
    },
    {
      sql: `UPDATE contacts SET mailbox_id = COALESCE(mailbox_id, ?), next_send_at = ?, updated_at = ?
              WHERE id IN (SELECT value FROM json_each(?))
                AND EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = contacts.id AND s.lease_id = ?)`,
      args: [r.mailboxId, now + holdMs, now, JSON.stringify(allIds), token],
    },
    {
      // A step whose row already ended (e.g. canceled before the contact was reactivated) is
      // never sent again: the contact moves past it instead of holding the slot every tick.
      sql: `UPDATE contacts SET current_step = MAX(contacts.current_step, j.value->>5), updated_at = ?
              FROM json_each(?) j
              WHERE contacts.id = j.value->>1 AND contacts.status = 'active'
                AND EXISTS (SELECT 1 FROM sends s WHERE s.contact_id = contacts.id AND s.step_id = j.value->>2
                  AND s.status IN ('sent', 'failed', 'bounced', 'canceled', 'skipped', 'replied'))`,
      args: [now, JSON.stringify(rows)],
    },
  ];
  const collect = (inserted: ResultSet) => {
    const campaign = loaded.campaigns.get(r.campaignId)!;
    const out: ReservedSend[] = [];
    for (const row of inserted.rows) {
      const planned = r.sends.find((s) => s.contactId === row.contact_id);
      const contact = loaded.contacts.get(String(row.contact_id));
      const step = campaign.steps.find((s) => s.id === planned?.stepId);
      if (!planned || !contact || !step) continue;
      out.push({
        sendId: String(row.id),
        token,
        reservation: r,
        mailbox,
        steps: campaign.steps,
        earlier: [],
        contact,
        step,
        variantId: planned.variantId,
        messageId: String(row.message_id),
        stopOnBounce: campaign.stopOnBounce,
      });
    }
    return out;
  };
  return { stmts, collect };
}

export async function loadMailboxes(deps: Deps, ids: string[]): Promise<Map<string, MailboxRow>> {
  const res = await deps.db.client.execute({
    sql: `SELECT id, address, first_name, last_name, signature_html, smtp, smtp_password, updated_at
          FROM mailboxes WHERE id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(ids)],
  });
  return new Map(
    res.rows.map((r) => [
      String(r.id),
      {
        id: String(r.id),
        address: String(r.address),
        firstName: String(r.first_name),
        lastName: str(r.last_name),
        signatureHtml: str(r.signature_html),
        smtp: json(r.smtp, { host: '', port: 0, secure: false, username: '' }),
        smtpPassword: String(r.smtp_password),
        updatedAt: num(r.updated_at),
      },
    ]),
  );
}

/** Message-IDs of each contact's earlier sent messages, oldest first (for In-Reply-To/References). */
export async function loadThreads(deps: Deps, contactIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (contactIds.length === 0) return out;
  const res = await deps.db.client.execute({
    sql: `SELECT contact_id, message_id FROM sends
          WHERE contact_id IN (SELECT value FROM json_each(?)) AND status IN ('sent', 'replied')
          ORDER BY sent_at, id`,
    args: [JSON.stringify(contactIds)],
  });
  for (const r of res.rows) {
    const list = out.get(String(r.contact_id)) ?? [];
    list.push(String(r.message_id));
    out.set(String(r.contact_id), list);
  }
  return out;
}
