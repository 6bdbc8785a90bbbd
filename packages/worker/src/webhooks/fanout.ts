/**
 * Fan-out: reads the event log forward from the stored cursor and writes one delivery row per
 * matching subscription (paused ones included: their rows wait; disabled ones get none).
 *
 * The log is read in commit order by `webhook_event_seq.seq` (filled by a trigger on `events`),
 * not by event id: ids are time-sortable per process, so two processes can commit ids out of
 * order and an id cursor would skip the late one. A seq is assigned under SQLite's single write
 * lock, so once a seq is visible every smaller one is committed too.
 *
 * Idempotent: a delivery is unique per (subscription, event) and the cursor only moves forward,
 * so two workers fanning out the same range write each delivery once. Nothing comes from memory:
 * an event written while every worker was down is read when one starts.
 */
import {
  type Deps,
  newId,
  type WebhookSubscriptionRow,
  webhookFilterMatches,
  webhookPayload,
} from '@outreach/shared';

export const FANOUT_CURSOR = 'fanout';
/** Rows per JSON parameter (one bound value per row is what costs; see NOTES.md). */
const INSERT_CHUNK = 500;

interface LogRow {
  seq: number;
  id: string;
  workspaceId: number;
  type: string;
  campaignId: string | null;
  data: Record<string, unknown>;
  createdAt: number;
}

function toSubscription(
  r: Record<string, unknown>,
): Pick<
  WebhookSubscriptionRow,
  | 'id'
  | 'workspaceId'
  | 'eventTypes'
  | 'replyIntents'
  | 'campaignIds'
  | 'ignoreOoo'
  | 'ignoreAutoReply'
  | 'fromSeq'
> {
  return {
    id: String(r.id),
    workspaceId: Number(r.workspace_id),
    eventTypes: JSON.parse(String(r.event_types)),
    replyIntents: JSON.parse(String(r.reply_intents)),
    campaignIds: JSON.parse(String(r.campaign_ids)),
    ignoreOoo: Boolean(r.ignore_ooo),
    ignoreAutoReply: Boolean(r.ignore_auto_reply),
    fromSeq: Number(r.from_seq),
  };
}

/** Fans out up to `batch` events past the cursor; returns how many events were read. */
export async function fanOut(
  deps: Deps,
  opts: { batch?: number } = {},
): Promise<{ events: number; deliveries: number }> {
  const db = deps.db.client;
  const cursorRow = await db.execute({
    sql: 'SELECT position FROM webhook_cursors WHERE name = ?',
    args: [FANOUT_CURSOR],
  });
  const cursor = Number(cursorRow.rows[0]?.position ?? 0);
  const res = await db.execute({
    sql: `SELECT q.seq, e.id, e.workspace_id, e.type, e.campaign_id, e.data, e.created_at
          FROM webhook_event_seq q JOIN events e ON e.id = q.event_id
          WHERE q.seq > ? ORDER BY q.seq LIMIT ?`,
    args: [cursor, opts.batch ?? 1000],
  });
  if (res.rows.length === 0) return { events: 0, deliveries: 0 };
  const log: LogRow[] = res.rows.map((r) => ({
    seq: Number(r.seq),
    id: String(r.id),
    workspaceId: Number(r.workspace_id),
    type: String(r.type),
    campaignId: (r.campaign_id as string | null) ?? null,
    data: JSON.parse(String(r.data)),
    createdAt: Number(r.created_at),
  }));
  const upTo = log[log.length - 1]!.seq;
  const workspaces = [...new Set(log.map((e) => e.workspaceId))];
  const subsRes = await db.execute({
    sql: `SELECT id, workspace_id, event_types, reply_intents, campaign_ids, ignore_ooo, ignore_auto_reply, from_seq
          FROM webhook_subscriptions
          WHERE status != 'disabled' AND workspace_id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(workspaces)],
  });
  const byWorkspace = new Map<number, ReturnType<typeof toSubscription>[]>();
  for (const r of subsRes.rows) {
    const s = toSubscription(r as Record<string, unknown>);
    byWorkspace.set(s.workspaceId, [...(byWorkspace.get(s.workspaceId) ?? []), s]);
  }
  const now = deps.clock.now();
  const rows: unknown[][] = [];
  for (const e of log) {
    for (const s of byWorkspace.get(e.workspaceId) ?? []) {
      if (e.seq <= s.fromSeq || !webhookFilterMatches(s, e)) continue;
      rows.push([
        newId('webhookDelivery', now),
        e.workspaceId,
        s.id,
        e.id,
        e.type,
        e.seq,
        webhookPayload(e.type, e.createdAt, e.data),
        now,
      ]);
    }
  }
  await advance(deps, cursor, upTo, rows);
  return { events: log.length, deliveries: rows.length };
}

/** Inserts the deliveries and moves the cursor in one batch (one write transaction). */
async function advance(deps: Deps, from: number, upTo: number, rows: unknown[][]): Promise<void> {
  const statements = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    statements.push({
      sql: `INSERT INTO webhook_deliveries
              (id, workspace_id, subscription_id, event_id, event_type, event_seq, payload, status, attempts, next_attempt_at, created_at)
            SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6,
                   'pending', 0, j.value->>7, j.value->>7
            FROM json_each(?) j WHERE true
            ON CONFLICT (subscription_id, event_id) DO NOTHING`,
      args: [JSON.stringify(rows.slice(i, i + INSERT_CHUNK))],
    });
  }
  statements.push(
    {
      sql: 'UPDATE webhook_cursors SET position = max(position, ?), updated_at = ? WHERE name = ?',
      args: [upTo, deps.clock.now(), FANOUT_CURSOR],
    },
    // Behind the cursor the seq rows have done their job.
    { sql: 'DELETE FROM webhook_event_seq WHERE seq > ? AND seq <= ?', args: [from, upTo] },
  );
  await deps.db.client.batch(statements, 'write');
}
