import { createRoute } from '@hono/zod-openapi';
import { rotateWebhookSecret } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { answersSecret } from '../../middleware/idempotency';
import {
  RotateSecretBody,
  SubscriptionIdParam,
  SubscriptionSecretEnvelope,
  TAG,
  toSubscriptionWithSecret,
  WEBHOOKS_BASE,
} from './schema';

export const rotateSecretRoute = createRoute({
  method: 'post',
  path: `${WEBHOOKS_BASE}/subscriptions/{id}/rotate-secret`,
  operationId: 'webhooks.rotateSecret',
  tags: [TAG],
  // the answer shows the signing secret once: never kept for an Idempotency-Key replay
  middleware: [answersSecret('subscription.secret')] as const,
  summary: 'A new secret; the old one keeps signing alongside for 24 h (two `v1,` signatures)',
  request: {
    params: SubscriptionIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: false, content: { 'application/json': { schema: RotateSecretBody } } },
  },
  responses: {
    200: {
      description: 'The subscription with its new secret',
      content: { 'application/json': { schema: SubscriptionSecretEnvelope } },
    },
    ...errorResponses,
  },
});

export function registerRotateSecret(app: App): void {
  app.openapi(rotateSecretRoute, async (c) => {
    const deps = c.get('deps');
    const { row, secret } = await rotateWebhookSecret(
      deps,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json') ?? {},
      deps.clock.now(),
    );
    return c.json({ subscription: toSubscriptionWithSecret(row, secret) }, 200);
  });
}
