import { createRoute } from '@hono/zod-openapi';
import { resumeWebhookSubscription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { SubscriptionEnvelope, SubscriptionIdParam, TAG, toSubscription, WEBHOOKS_BASE } from './schema';

export const resumeSubscriptionRoute = createRoute({
  method: 'post',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}/resume`,
  operationId: 'webhooks.resume',
  tags: [TAG],
  summary: 'Resume (also a disabled one): held events are delivered, oldest first',
  request: { params: SubscriptionIdParam, query: WorkspaceQuery, headers: IdempotencyHeader },
  responses: {
    200: {
      description: 'The subscription',
      content: { 'application/json': { schema: SubscriptionEnvelope } },
    },
    ...errorResponses,
  },
});

export function registerResumeSubscription(app: App): void {
  app.openapi(resumeSubscriptionRoute, async (c) => {
    const deps = c.get('deps');
    const row = await resumeWebhookSubscription(
      deps,
      c.get('workspaceId'),
      c.req.valid('param').id,
      deps.clock.now(),
    );
    return c.json({ subscription: toSubscription(row) }, 200);
  });
}
