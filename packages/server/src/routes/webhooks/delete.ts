import { createRoute } from '@hono/zod-openapi';
import { deleteWebhookSubscription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { SubscriptionIdParam, TAG, WEBHOOKS_BASE } from './schema';

export const deleteSubscriptionRoute = createRoute({
  method: 'delete',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}`,
  operationId: 'webhooks.delete',
  tags: [TAG],
  summary: 'Delete a subscription and its deliveries',
  request: { params: SubscriptionIdParam, query: WorkspaceQuery },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function registerDeleteSubscription(app: App): void {
  app.openapi(deleteSubscriptionRoute, async (c) => {
    const deps = c.get('deps');
    await deleteWebhookSubscription(deps, c.get('workspaceId'), c.req.valid('param').id, deps.clock.now());
    return c.body(null, 204);
  });
}
