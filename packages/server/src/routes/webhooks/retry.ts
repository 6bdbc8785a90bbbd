import { createRoute } from '@hono/zod-openapi';
import { retryDeliveryNow } from '@outreach/worker/webhooks/manual';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { DeliveryIdParam, DeliverySchema, TAG, toDelivery, WEBHOOKS_BASE } from './schema';

export const retryDeliveryRoute = createRoute({
  method: 'post',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}/deliveries/{deliveryId}/retry`,
  operationId: 'webhooks.retryDelivery',
  tags: [TAG],
  summary: 'Attempt a delivery now, whatever its status (same `webhook-id`; attempts count on)',
  request: { params: DeliveryIdParam, query: WorkspaceQuery, headers: IdempotencyHeader },
  responses: {
    200: {
      description: 'The delivery after the attempt',
      content: { 'application/json': { schema: DeliverySchema } },
    },
    ...errorResponses,
  },
});

export function registerRetryDelivery(app: App): void {
  app.openapi(retryDeliveryRoute, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    const delivery = await retryDeliveryNow(c.get('deps'), c.get('workspaceId'), id, deliveryId);
    return c.json(toDelivery(delivery), 200);
  });
}
