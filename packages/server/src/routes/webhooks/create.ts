import { createRoute } from '@hono/zod-openapi';
import { createWebhookSubscription } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { answersSecret } from '../../middleware/idempotency';
import {
  CreateSubscriptionBody,
  SubscriptionSecretEnvelope,
  TAG,
  toSubscriptionWithSecret,
  WEBHOOKS_BASE,
} from './schema';

export const createSubscriptionRoute = createRoute({
  method: 'post',
  path: `${WEBHOOKS_BASE}/subscriptions`,
  operationId: 'webhooks.create',
  tags: [TAG],
  // the answer shows the signing secret once: never kept for an Idempotency-Key replay
  middleware: [answersSecret('subscription.secret')] as const,
  summary: 'Subscribe an endpoint to events (the secret is generated when absent, and shown)',
  request: {
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateSubscriptionBody } } },
  },
  responses: {
    201: {
      description: 'Subscribed; `endpoint_not_allowed` (422) when its host resolves to a private address',
      content: { 'application/json': { schema: SubscriptionSecretEnvelope } },
    },
    ...errorResponses,
  },
});

export function registerCreateSubscription(app: App): void {
  app.openapi(createSubscriptionRoute, async (c) => {
    const deps = c.get('deps');
    const { row, secret } = await createWebhookSubscription(
      deps,
      c.get('workspaceId'),
      c.req.valid('json'),
      deps.clock.now(),
    );
    return c.json({ subscription: toSubscriptionWithSecret(row, secret) }, 201);
  });
}
