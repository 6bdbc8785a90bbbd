import { createRoute } from '@hono/zod-openapi';
import { pauseWebhookSubscription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { SubscriptionEnvelope, SubscriptionIdParam, TAG, toSubscription, WEBHOOKS_BASE } from './schema';

export const pauseSubscriptionRoute = createRoute({
  method: 'post',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}/pause`,
  operationId: 'webhooks.pause',
  tags: [TAG],
  summary: 'Pause: events are held (nothing dropped) until resume',
  request: { params: SubscriptionIdParam, query: WorkspaceQuery, headers: IdempotencyHeader },
  responses: {
    200: {
      description: 'The subscription',
      content: { 'application/json': { schema: SubscriptionEnvelope } },
    },
    ...errorResponses,
  },
});

export function registerPauseSubscription(app: App): void {
  app.openapi(pauseSubscriptionRoute, async (c) => {
    const deps = c.get('deps');
    const row = await pauseWebhookSubscription(
      deps,
      c.get('workspaceId'),
      c.req.valid('param').id,
      deps.clock.now(),
    );
    return c.json({ subscription: toSubscription(row) }, 200);
  });
}
