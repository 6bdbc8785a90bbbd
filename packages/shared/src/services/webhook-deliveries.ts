/** The read side of webhooks: the event log and a subscription's deliveries, newest first. */
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { events, webhookDeliveries } from '../db/schema/index';
import { AppError } from '../errors';
import { getWebhookSubscription } from './webhooks';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type EventRow = typeof events.$inferSelect;

export async function listWebhookDeliveries(
  db: Db,
  workspaceId: number,
  subscriptionId: string,
  opts: { limit: number; before: string | null },
): Promise<WebhookDeliveryRow[]> {
  await getWebhookSubscription(db, workspaceId, subscriptionId);
  return db.orm
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        opts.before ? lt(webhookDeliveries.id, opts.before) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(opts.limit + 1);
}

export async function getWebhookDelivery(
  db: Db,
  workspaceId: number,
  subscriptionId: string,
  deliveryId: string,
): Promise<WebhookDeliveryRow> {
  const row = await db.orm.query.webhookDeliveries.findFirst({
    where: and(
      eq(webhookDeliveries.id, deliveryId),
      eq(webhookDeliveries.subscriptionId, subscriptionId),
      eq(webhookDeliveries.workspaceId, workspaceId),
    ),
  });
  if (!row) throw AppError.notFound('Webhook delivery', deliveryId);
  return row;
}

/** The workspace's event log, newest first (keyset on the time-sortable id). */
export async function listWorkspaceEvents(
  db: Db,
  workspaceId: number,
  opts: { limit: number; before: string | null; type?: string },
): Promise<EventRow[]> {
  return db.orm
    .select()
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        opts.type ? eq(events.type, opts.type) : undefined,
        opts.before ? lt(events.id, opts.before) : undefined,
      ),
    )
    .orderBy(desc(events.id))
    .limit(opts.limit + 1);
}
