/**
 * The delivery queue, in the one job-queue pattern (DESIGN.md "Work queue"): a worker claims a
 * subscription's queue in one statement with a fresh lease id, delivers its pending rows oldest
 * event first, and fences every write by that lease. Leasing the subscription (not a single row)
 * is what makes delivery serial per subscription across workers: one holder at a time.
 */
import { randomUUID } from 'node:crypto';
import {
  type AttemptResult,
  type Db,
  type DeliveryDecision,
  type Deps,
  eventInsert,
  schema,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from '@outreach/shared';
import { and, eq } from 'drizzle-orm';

function toSubscription(r: Record<string, unknown>): WebhookSubscriptionRow {
  const n = (v: unknown) => (v == null ? null : Number(v));
  return {
    id: String(r.id),
    workspaceId: Number(r.workspace_id),
    endpoint: String(r.endpoint),
    eventTypes: JSON.parse(String(r.event_types)),
    replyIntents: JSON.parse(String(r.reply_intents)),
    campaignIds: JSON.parse(String(r.campaign_ids)),
    ignoreOoo: Boolean(r.ignore_ooo),
    ignoreAutoReply: Boolean(r.ignore_auto_reply),
    status: r.status as WebhookSubscriptionRow['status'],
    secret: String(r.secret),
    previousSecret: (r.previous_secret as string | null) ?? null,
    previousSecretUntil: n(r.previous_secret_until),
    fromSeq: Number(r.from_seq),
    failingSince: n(r.failing_since),
    disabledReason: (r.disabled_reason as string | null) ?? null,
    leaseId: (r.lease_id as string | null) ?? null,
    leaseUntil: n(r.lease_until),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/**
 * Claims up to `limit` active subscriptions whose oldest pending delivery is due and that no
 * live lease holds (a dead worker's lease runs out and its queue is taken over).
 */
export async function claimSubscriptions(
  db: Db,
  opts: { limit: number; leaseMs: number; now: number },
): Promise<{ leaseId: string; subscriptions: WebhookSubscriptionRow[] }> {
  const leaseId = randomUUID();
  const res = await db.client.execute({
    sql: `UPDATE webhook_subscriptions SET lease_id = ?, lease_until = ?
          WHERE id IN (
            SELECT s.id FROM webhook_subscriptions s
            WHERE s.status = 'active' AND (s.lease_until IS NULL OR s.lease_until < ?)
              AND (SELECT h.next_attempt_at FROM webhook_deliveries h
                   WHERE h.subscription_id = s.id AND h.status = 'pending'
                   ORDER BY h.event_seq LIMIT 1) <= ?
            LIMIT ?)
          RETURNING *`,
    args: [leaseId, opts.now + opts.leaseMs, opts.now, opts.now, opts.limit],
  });
  return { leaseId, subscriptions: res.rows.map((r) => toSubscription(r as Record<string, unknown>)) };
}

/** Claims one subscription now (a manual retry), unless a live lease holds it. */
export async function claimSubscription(
  db: Db,
  id: string,
  opts: { leaseMs: number; now: number },
): Promise<{ leaseId: string; subscription: WebhookSubscriptionRow } | null> {
  const leaseId = randomUUID();
  const res = await db.client.execute({
    sql: `UPDATE webhook_subscriptions SET lease_id = ?, lease_until = ?
          WHERE id = ? AND (lease_until IS NULL OR lease_until < ?) RETURNING *`,
    args: [leaseId, opts.now + opts.leaseMs, id, opts.now],
  });
  const row = res.rows[0];
  return row ? { leaseId, subscription: toSubscription(row as Record<string, unknown>) } : null;
}

export async function releaseSubscription(db: Db, id: string, leaseId: string): Promise<void> {
  await db.client.execute({
    sql: 'UPDATE webhook_subscriptions SET lease_id = NULL, lease_until = NULL WHERE id = ? AND lease_id = ?',
    args: [id, leaseId],
  });
}

/** The next pending deliveries of a subscription, oldest event first. */
export async function pendingDeliveries(
  db: Db,
  subscriptionId: string,
  limit: number,
): Promise<WebhookDeliveryRow[]> {
  return db.orm
    .select()
    .from(schema.webhookDeliveries)
    .where(
      and(
        eq(schema.webhookDeliveries.subscriptionId, subscriptionId),
        eq(schema.webhookDeliveries.status, 'pending'),
      ),
    )
    .orderBy(schema.webhookDeliveries.eventSeq)
    .limit(limit);
}

export interface RecordedAttempt {
  delivery: Pick<WebhookDeliveryRow, 'id'>;
  result: AttemptResult;
  decision: DeliveryDecision;
  /** when the attempt was made */
  at: number;
}

/**
 * Records attempts (in the order made) and extends the lease in one transaction, fenced by the
 * lease: `null` means the lease was lost (another worker has the queue) and the caller must
 * stop. Otherwise the subscription's status after the write (a pause or delete meanwhile stops
 * the run) and each delivery's attempt count.
 */
export async function recordAttempts(
  deps: Deps,
  sub: Pick<WebhookSubscriptionRow, 'id'>,
  leaseId: string,
  attempts: RecordedAttempt[],
  opts: { leaseMs: number },
): Promise<{ status: WebhookSubscriptionRow['status']; attempts: number[] } | null> {
  const now = deps.clock.now();
  const fence = 'EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = ? AND lease_id = ?)';
  const last = attempts[attempts.length - 1]!;
  const results = await deps.db.client.batch(
    [
      ...attempts.map(({ delivery, result, decision, at }) => ({
        sql: `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
                response_status = ?, response_body_snippet = ?, duration_ms = ?, error = ?
              WHERE id = ? AND ${fence} RETURNING attempts`,
        args: [
          decision.status,
          decision.nextAttemptAt,
          at,
          result.status,
          result.bodySnippet,
          result.durationMs,
          result.error,
          delivery.id,
          sub.id,
          leaseId,
        ],
      })),
      {
        sql: `UPDATE webhook_subscriptions SET failing_since = ?, lease_until = ?
              WHERE id = ? AND lease_id = ? RETURNING status`,
        args: [last.decision.failingSince, now + opts.leaseMs, sub.id, leaseId],
      },
    ],
    'write',
  );
  const sRow = results[results.length - 1]?.rows[0];
  if (!sRow) return null;
  return {
    status: sRow.status as WebhookSubscriptionRow['status'],
    attempts: results.slice(0, -1).map((r) => Number(r.rows[0]?.attempts ?? 0)),
  };
}

/** Disables the subscription (410, or 5 days of failures) and logs `webhook.disabled`. */
export async function disableSubscription(
  deps: Deps,
  sub: Pick<WebhookSubscriptionRow, 'id' | 'workspaceId' | 'endpoint'>,
  reason: 'gone' | 'failing_5_days',
  lastError: string | null,
): Promise<void> {
  const now = deps.clock.now();
  const orm = deps.db.orm;
  await orm.batch([
    orm
      .update(schema.webhookSubscriptions)
      .set({ status: 'disabled', disabledReason: reason, updatedAt: now })
      .where(eq(schema.webhookSubscriptions.id, sub.id)),
    eventInsert(
      orm,
      {
        workspaceId: sub.workspaceId,
        type: 'webhook.disabled',
        data: { subscriptionId: sub.id, endpoint: sub.endpoint, reason, lastError },
      },
      now,
    ),
  ]);
  deps.log.warn('webhook subscription disabled', { subscriptionId: sub.id, reason, lastError });
}
