import {
  type CreateWebhookInput,
  createWebhookSubscription,
  type Deps,
  eventInsert,
  schema,
  WEBHOOK_EVENT_TYPES,
} from '@outreach/shared';
import type { ReceivedRequest } from '@outreach/testkit';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { WebhookRunner } from '../../src/webhooks/runner';

export const ALL_TYPES = WEBHOOK_EVENT_TYPES.map((t) => t.type);

export async function subscribe(
  deps: Deps,
  workspaceId: number,
  endpoint: string,
  filter: Partial<CreateWebhookInput> = {},
) {
  const { row, secret } = await createWebhookSubscription(
    deps,
    workspaceId,
    { endpoint, eventTypes: ALL_TYPES, ...filter },
    deps.clock.now(),
  );
  return { id: row.id, secret };
}

/** Writes one event row the way every service does. */
export async function logEvent(
  deps: Deps,
  workspaceId: number,
  type: string,
  data: Record<string, unknown> = {},
  campaignId: string | null = 'cmp_1',
  nowMs = deps.clock.now(),
): Promise<string> {
  const [[row]] = await deps.db.orm.batch([
    eventInsert(deps.db.orm, { workspaceId, type, campaignId, data }, nowMs).returning(),
  ]);
  return row!.id;
}

/** One tick and every run it started. */
export async function pump(deps: Deps, runner: WebhookRunner): Promise<void> {
  await runner.tick(deps);
  await runner.drain();
}

export async function deliveriesOf(deps: Deps, subscriptionId: string) {
  return deps.db.orm
    .select()
    .from(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.subscriptionId, subscriptionId))
    .orderBy(schema.webhookDeliveries.eventSeq);
}

export async function subscriptionRow(deps: Deps, id: string) {
  return (await deps.db.orm.query.webhookSubscriptions.findFirst({
    where: eq(schema.webhookSubscriptions.id, id),
  }))!;
}

/** Verifies with standardwebhooks (at `atMs`, for virtual clocks) and returns the parsed body. */
export function verify(req: ReceivedRequest, secret: string, atMs = Date.now()): any {
  const realNow = Date.now;
  Date.now = () => atMs;
  try {
    return new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
  } finally {
    Date.now = realNow;
  }
}
