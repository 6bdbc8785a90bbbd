/**
 * Deliveries made at a user's request, inside the API call: `…/test` and `…/deliveries/{id}/retry`.
 * They take the subscription's lease like a worker would (so they never overlap a worker's
 * attempt of the same queue), attempt once, record, and hand the lease back.
 */
import {
  AppError,
  type Deps,
  eventInsert,
  getWebhookDelivery,
  getWebhookSubscription,
  newId,
  schema,
  WEBHOOK_TEST_EVENT,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
  webhookPayload,
} from '@outreach/shared';
import { sql } from 'drizzle-orm';
import { WEBHOOK_TIMEOUT_MS, WebhookAgents } from './post';
import { claimSubscription, releaseSubscription } from './queue';
import { deliverOne, WEBHOOK_LEASE_MS } from './runner';

/** How long a manual delivery waits for a worker to finish the attempt in hand. */
const LEASE_WAIT_MS = 20_000;

async function withLease<T>(
  deps: Deps,
  sub: WebhookSubscriptionRow,
  fn: (leaseId: string, sub: WebhookSubscriptionRow, agents: WebhookAgents) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const claim = await claimSubscription(deps.db, sub.id, {
      leaseMs: WEBHOOK_LEASE_MS,
      now: deps.clock.now(),
    });
    if (claim) {
      const agents = new WebhookAgents();
      try {
        return await fn(claim.leaseId, claim.subscription, agents);
      } finally {
        agents.close();
        await releaseSubscription(deps.db, sub.id, claim.leaseId);
      }
    }
    if (Date.now() - started > LEASE_WAIT_MS) {
      throw new AppError(
        'conflict',
        'A worker is delivering to this subscription right now; try again shortly',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function attemptNow(
  deps: Deps,
  leaseId: string,
  sub: WebhookSubscriptionRow,
  d: WebhookDeliveryRow,
  agents: WebhookAgents,
): Promise<WebhookDeliveryRow> {
  const out = await deliverOne(deps, sub, d, leaseId, {
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    agents,
    leaseMs: WEBHOOK_LEASE_MS,
  });
  if (!out) throw new AppError('conflict', 'The delivery was taken over by a worker; reload it');
  return out;
}

/** `POST …/subscriptions/{id}/test`: logs a `webhook.test` event and delivers it now. */
export async function sendTestDelivery(deps: Deps, workspaceId: number, subscriptionId: string) {
  const sub = await getWebhookSubscription(deps.db, workspaceId, subscriptionId);
  return withLease(deps, sub, async (leaseId, fresh, agents) => {
    const now = deps.clock.now();
    const orm = deps.db.orm;
    const data = { subscriptionId, message: 'A test event from Outreach' };
    const [[event]] = await orm.batch([
      eventInsert(orm, { workspaceId, type: WEBHOOK_TEST_EVENT, data }, now).returning(),
    ]);
    const [delivery] = await orm
      .insert(schema.webhookDeliveries)
      .values({
        id: newId('webhookDelivery', now),
        workspaceId,
        subscriptionId,
        eventId: event!.id,
        eventType: WEBHOOK_TEST_EVENT,
        // Sorts after every event logged so far: a test never jumps the queue.
        eventSeq: sql`coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'webhook_event_seq'), 0)`,
        payload: webhookPayload(WEBHOOK_TEST_EVENT, now, data),
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })
      .returning();
    return attemptNow(deps, leaseId, fresh, delivery!, agents);
  });
}

/** `POST …/deliveries/{id}/retry`: attempts it now whatever its status, with the same `webhook-id`. */
export async function retryDeliveryNow(
  deps: Deps,
  workspaceId: number,
  subscriptionId: string,
  deliveryId: string,
) {
  const sub = await getWebhookSubscription(deps.db, workspaceId, subscriptionId);
  await getWebhookDelivery(deps.db, workspaceId, subscriptionId, deliveryId);
  return withLease(deps, sub, async (leaseId, fresh, agents) => {
    const d = await getWebhookDelivery(deps.db, workspaceId, subscriptionId, deliveryId);
    return attemptNow(deps, leaseId, fresh, d, agents);
  });
}
