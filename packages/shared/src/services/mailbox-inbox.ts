/** A mailbox's inbox state (`inbox` on GET /mailboxes/{id} and in mailbox-preflight). */
import type { Db } from '../db/client';

export interface InboxState {
  lastReadAt: number | null;
  lastError: string | null;
  messagesSeen: number;
}

export const NEVER_READ: InboxState = { lastReadAt: null, lastError: null, messagesSeen: 0 };

export async function inboxStates(db: Db, mailboxIds: readonly string[]): Promise<Map<string, InboxState>> {
  const out = new Map<string, InboxState>();
  if (mailboxIds.length === 0) return out;
  const res = await db.client.execute({
    sql: `SELECT mailbox_id, last_read_at, last_error, messages_seen FROM mailbox_inbox
          WHERE mailbox_id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(mailboxIds)],
  });
  for (const r of res.rows) {
    out.set(String(r.mailbox_id), {
      lastReadAt: r.last_read_at == null ? null : Number(r.last_read_at),
      lastError: (r.last_error as string | null) ?? null,
      messagesSeen: Number(r.messages_seen ?? 0),
    });
  }
  return out;
}
