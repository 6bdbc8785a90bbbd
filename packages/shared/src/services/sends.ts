/**
 * The read side of sends: one campaign's send rows by id (keyset), filtered by status or
 * contact. Pages are read with the (campaign, id) / (campaign, status, id) indexes, so a page
 * costs the same at any depth, and exports stream the same pages one after another.
 */
import { type Db, readRecords } from '../db/client';
import type { SendStatus } from '../db/schema/index';

export type { SendStatus };

export const SEND_STATUSES = [
  'queued',
  'scheduled',
  'sending',
  'sent',
  'failed',
  'bounced',
  'skipped',
  'canceled',
  'replied',
] as const satisfies readonly SendStatus[];

/** Statuses of a message that left through SMTP (a replied send was sent first). */
export const DELIVERED_SEND_STATUSES = ['sent', 'replied'] as const satisfies readonly SendStatus[];

export interface Send {
  id: string;
  workspaceId: number;
  campaignId: string;
  contactId: string;
  stepId: string;
  /** the subsequence of its step; null: the main sequence. */
  subsequenceId: string | null;
  variantId: string | null;
  mailboxId: string;
  to: string;
  status: SendStatus;
  attempts: number;
  scheduledAt: number;
  sentAt: number | null;
  messageId: string;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = `id, workspace_id, campaign_id, contact_id, step_id, variant_id, mailbox_id, to_email, status, attempts,
  scheduled_at, sent_at, message_id, error, created_at, updated_at,
  (SELECT st.subsequence_id FROM steps st WHERE st.id = sends.step_id) AS subsequence_id`;
/** each column's name in the rows (`… AS name` for the computed one). */
const COLUMN_NAMES = COLUMNS.split(',').map(
  (c) =>
    c
      .trim()
      .split(/\s+AS\s+/)
      .pop()!,
);

export function rowToSend(r: Record<string, unknown>): Send {
  return {
    id: r.id as string,
    workspaceId: Number(r.workspace_id),
    campaignId: r.campaign_id as string,
    contactId: r.contact_id as string,
    stepId: r.step_id as string,
    subsequenceId: (r.subsequence_id as string | null) ?? null,
    variantId: (r.variant_id as string | null) ?? null,
    mailboxId: r.mailbox_id as string,
    to: r.to_email as string,
    status: r.status as SendStatus,
    attempts: Number(r.attempts ?? 0),
    scheduledAt: Number(r.scheduled_at),
    sentAt: r.sent_at == null ? null : Number(r.sent_at),
    messageId: r.message_id as string,
    error: (r.error as string | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export interface ListSendsOptions {
  /** rows wanted; `limit + 1` are read so the caller knows whether a next page exists. */
  limit: number;
  /** the last id of the previous page. */
  after: string | null;
  status?: SendStatus;
  contactId?: string;
}

/**
 * A page of a campaign's sends in id order (oldest first), `limit + 1` rows. The campaign must
 * already be known to belong to `workspaceId` (the workspace is checked again on every row).
 */
export async function listSends(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: ListSendsOptions,
): Promise<Send[]> {
  // With a contact, its few rows come from the (contact, step) index: `+campaign_id` keeps the
  // planner off the (campaign, id) index, which would walk the whole campaign to find them.
  const where = opts.contactId ? ['contact_id = ?', '+campaign_id = ?'] : ['campaign_id = ?'];
  const args: (string | number)[] = opts.contactId ? [opts.contactId, campaignId] : [campaignId];
  where.push('workspace_id = ?', 'id > ?');
  args.push(workspaceId, opts.after ?? '');
  if (opts.status) {
    where.push('status = ?');
    args.push(opts.status);
  }
  args.push(opts.limit + 1);
  const rows = await readRecords(
    db,
    { sql: `SELECT ${COLUMNS} FROM sends WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`, args },
    COLUMN_NAMES,
  );
  return rows.map(rowToSend);
}

/**
 * Every send of a campaign, page after page (keyset on id): at most `pageSize` rows are held at
 * once, and the next page is read only when the consumer asks for it.
 */
export async function* iterateSends(
  db: Db,
  workspaceId: number,
  campaignId: string,
  opts: { pageSize?: number; status?: SendStatus; contactId?: string } = {},
): AsyncGenerator<Send[]> {
  const limit = opts.pageSize ?? 1000;
  let after: string | null = null;
  for (;;) {
    const rows = await listSends(db, workspaceId, campaignId, {
      limit,
      after,
      status: opts.status,
      contactId: opts.contactId,
    });
    const shown = rows.length > limit ? rows.slice(0, limit) : rows;
    if (shown.length > 0) yield shown;
    if (rows.length <= limit) return;
    after = shown[shown.length - 1]!.id;
  }
}
