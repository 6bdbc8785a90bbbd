import { createRoute } from '@hono/zod-openapi';
import { sendTestDelivery } from '@outreach/worker/webhooks/manual';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { DeliverySchema, SubscriptionIdParam, TAG, toDelivery, WEBHOOKS_BASE } from './schema';

export const testSubscriptionRoute = createRoute({
  method: 'post',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}/test`,
  operationId: 'webhooks.test',
  tags: [TAG],
  summary: 'Deliver a `webhook.test` event now (one attempt) and answer the delivery',
  request: { params: SubscriptionIdParam, query: WorkspaceQuery, headers: IdempotencyHeader },
  responses: {
    200: {
      description: 'The delivery, `succeeded` or `failed` with the response kept',
      content: { 'application/json': { schema: DeliverySchema } },
    },
    ...errorResponses,
  },
});

export function registerTestSubscription(app: App): void {
  app.openapi(testSubscriptionRoute, async (c) => {
    const delivery = await sendTestDelivery(c.get('deps'), c.get('workspaceId'), c.req.valid('param').id);
    return c.json(toDelivery(delivery), 200);
  });
}
