import { createRoute } from '@hono/zod-openapi';
import { getWebhookSubscription, openSubscription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import {
  SubscriptionIdParam,
  SubscriptionSecretEnvelope,
  TAG,
  toSubscriptionWithSecret,
  WEBHOOKS_BASE,
} from './schema';

export const getSubscriptionRoute = createRoute({
  method: 'get',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}`,
  operationId: 'webhooks.get',
  tags: [TAG],
  summary: 'Get a subscription, with its secret',
  request: { params: SubscriptionIdParam, query: WorkspaceQuery },
  responses: {
    200: {
      description: 'The subscription',
      content: { 'application/json': { schema: SubscriptionSecretEnvelope } },
    },
    ...errorResponses,
  },
});

export function registerGetSubscription(app: App): void {
  app.openapi(getSubscriptionRoute, async (c) => {
    const deps = c.get('deps');
    const row = await getWebhookSubscription(deps.db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json({ subscription: toSubscriptionWithSecret(row, openSubscription(deps, row).secret) }, 200);
  });
}
