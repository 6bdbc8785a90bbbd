import { createRoute } from '@hono/zod-openapi';
import { updateWebhookSubscription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import {
  SubscriptionEnvelope,
  SubscriptionIdParam,
  TAG,
  toSubscription,
  UpdateSubscriptionBody,
  WEBHOOKS_BASE,
} from './schema';

export const updateSubscriptionRoute = createRoute({
  method: 'patch',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}`,
  operationId: 'webhooks.update',
  tags: [TAG],
  summary: "Change a subscription's endpoint or filters (a new endpoint is checked again)",
  request: {
    params: SubscriptionIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateSubscriptionBody } } },
  },
  responses: {
    200: {
      description: 'The subscription',
      content: { 'application/json': { schema: SubscriptionEnvelope } },
    },
    ...errorResponses,
  },
});

export function registerUpdateSubscription(app: App): void {
  app.openapi(updateSubscriptionRoute, async (c) => {
    const deps = c.get('deps');
    const row = await updateWebhookSubscription(
      deps,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      deps.clock.now(),
    );
    return c.json({ subscription: toSubscription(row) }, 200);
  });
}
