/**
 * Which of our messages the mails of an inbound batch answer: the keys they name (`matchKeys`)
 * looked up in one read batch, as the maps `matchMessage` decides from.
 */
import type { Db } from '../db/client';
import { matchKeys, type OurMessage } from '../domain/inbox/match';
import type { InboundMail, InboxMailbox } from './inbox-effects';

const DELIVERED = "('sent', 'replied', 'bounced')";

const rowToOurs = (r: Record<string, unknown>): OurMessage => ({
  sendId: (r.send_id as string | null) ?? null,
  messageId: String(r.message_id),
  contactId: String(r.contact_id),
  campaignId: String(r.campaign_id),
  stepId: (r.step_id as string | null) ?? null,
  variantId: (r.variant_id as string | null) ?? null,
  sentAt: Number(r.sent_at ?? 0),
});

/**
 * The four look-ups of a batch: our Message-IDs (campaign sends, Unibox replies), send ids, and
 * addresses this mailbox wrote to. Each follows the index of what it looks up (Message-ID, id,
 * workspace + email, then the contact's sends); the mailbox is checked on the way (`+mailbox_id`):
 * without ANALYZE statistics SQLite would otherwise read every send of the mailbox by
 * `sends_mailbox_time` and filter them against the list.
 */
export function lookupStatements(
  mailbox: Pick<InboxMailbox, 'id' | 'workspaceId'>,
  ids: string[],
  sendIds: string[],
  emails: string[],
): { sql: string; args: (string | number)[] }[] {
  const sendCols =
    's.id AS send_id, s.message_id, s.contact_id, s.campaign_id, s.step_id, s.variant_id, s.sent_at';
  return [
    {
      sql: `SELECT ${sendCols} FROM sends s
            WHERE s.message_id IN (SELECT value FROM json_each(?)) AND +s.mailbox_id = ?`,
      args: [JSON.stringify(ids), mailbox.id],
    },
    {
      // Unibox replies: answered for the step of the contact's last send.
      sql: `SELECT NULL AS send_id, m.message_id, t.contact_id, t.campaign_id, s.step_id, s.variant_id, m.created_at AS sent_at
            FROM messages m JOIN threads t ON t.id = m.thread_id
            LEFT JOIN sends s ON s.id = (SELECT id FROM sends WHERE contact_id = t.contact_id AND +mailbox_id = t.mailbox_id
                                         AND status IN ${DELIVERED} ORDER BY sent_at DESC LIMIT 1)
            WHERE m.mailbox_id = ? AND +m.direction = 'outbound' AND m.message_id IN (SELECT value FROM json_each(?))`,
      args: [mailbox.id, JSON.stringify(ids)],
    },
    {
      sql: `SELECT ${sendCols} FROM sends s WHERE s.id IN (SELECT value FROM json_each(?)) AND +s.mailbox_id = ?`,
      args: [JSON.stringify(sendIds), mailbox.id],
    },
    {
      // contacts this mailbox wrote to, by address: the latest message to each.
      sql: `SELECT ${sendCols}, c.email FROM contacts c JOIN sends s ON s.contact_id = c.id
            WHERE c.workspace_id = ? AND c.email IN (SELECT value FROM json_each(?))
              AND +s.mailbox_id = ? AND s.status IN ${DELIVERED}
            ORDER BY s.sent_at`,
      args: [mailbox.workspaceId, JSON.stringify(emails), mailbox.id],
    },
  ];
}

/** Looks up the keys every mail of the batch names, in one read batch. */
export async function lookup(db: Db, mailbox: InboxMailbox, mails: InboundMail[]) {
  const ids = new Set<string>();
  const sendIds = new Set<string>();
  const emails = new Set<string>();
  for (const m of mails) {
    const k = matchKeys(m.parsed, m.classification);
    for (const v of k.messageIds) ids.add(v);
    for (const v of k.sendIds) sendIds.add(v);
    for (const v of k.emails) emails.add(v);
  }
  const [bySend, byUnibox, bySendId, byEmail] = await db.client.batch(
    lookupStatements(mailbox, [...ids], [...sendIds], [...emails]),
    'read',
  );
  const byMessageId = new Map<string, OurMessage>();
  for (const r of [...bySend!.rows, ...byUnibox!.rows]) byMessageId.set(String(r.message_id), rowToOurs(r));
  const sendMap = new Map<string, OurMessage>();
  for (const r of bySendId!.rows) sendMap.set(String(r.send_id), rowToOurs(r));
  const emailMap = new Map<string, OurMessage>();
  for (const r of byEmail!.rows) emailMap.set(String(r.email), rowToOurs(r)); // ordered: the latest wins
  return { byMessageId, bySendId: sendMap, byEmail: emailMap };
}
