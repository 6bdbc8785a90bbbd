import { createRoute } from '@hono/zod-openapi';
import { listWebhookSubscriptions } from '@outreach/shared';
import type { App } from '../../app';
import { decodeCursor, page } from '../../lib/pagination';
import { errorResponses } from '../../lib/problem';
import { listOf, PageQuery } from '../../lib/schemas';
import { SubscriptionSchema, TAG, toSubscription, WEBHOOKS_BASE } from './schema';

export const listSubscriptionsRoute = createRoute({
  method: 'get',
  path: `${WEBHOOKS_BASE}/subscriptions`,
  operationId: 'webhooks.list',
  tags: [TAG],
  summary: 'List subscriptions, oldest first (never their secrets)',
  request: { query: PageQuery },
  responses: {
    200: {
      description: 'A page of subscriptions',
      content: { 'application/json': { schema: listOf(SubscriptionSchema, 'WebhookSubscriptionList') } },
    },
    ...errorResponses,
  },
});

export function registerListSubscriptions(app: App): void {
  app.openapi(listSubscriptionsRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listWebhookSubscriptions(c.get('deps').db, c.get('workspaceId'), {
      limit: q.limit,
      after: decodeCursor(q.cursor),
    });
    return c.json(
      page(rows, q.limit, (r) => r.id, toSubscription),
      200,
    );
  });
}
