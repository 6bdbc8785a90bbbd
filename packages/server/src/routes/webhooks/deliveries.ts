import { createRoute } from '@hono/zod-openapi';
import { listWebhookDeliveries } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { DeliverySchema, SubscriptionIdParam, TAG, toDelivery, WEBHOOKS_BASE } from './schema';

export const listDeliveriesRoute = createRoute({
  method: 'get',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}/deliveries`,
  operationId: 'webhooks.deliveries',
  tags: [TAG],
  summary: "A subscription's deliveries, newest first, with the last response kept",
  request: { params: SubscriptionIdParam, query: PageQuery },
  responses: {
    200: {
      description: 'A page of deliveries',
      content: { 'application/json': { schema: listOf(DeliverySchema, 'WebhookDeliveryList') } },
    },
    ...errorResponses,
  },
});

export function registerListDeliveries(app: App): void {
  app.openapi(listDeliveriesRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listWebhookDeliveries(
      c.get('deps').db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      {
        limit: q.limit,
        before: decodeCursor(q.cursor),
      },
    );
    return c.json(
      page(rows, q.limit, (r) => r.id, toDelivery),
      200,
    );
  });
}
