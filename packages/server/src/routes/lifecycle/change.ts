import { createRoute, z } from '@hono/zod-openapi';
import { changeCampaignStatus } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam, CampaignSchema, toCampaign } from '../campaigns/schema';

export const LifecycleBody = z
  .object({ action: z.enum(['pause', 'resume']).openapi({ example: 'pause' }) })
  .openapi('LifecycleAction');

export const changeLifecycleRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/lifecycle',
  operationId: 'lifecycle.change',
  tags: ['Launch and lifecycle'],
  summary: 'Pause or resume a campaign',
  description:
    'Pausing stops new sends at once (a send already handed to SMTP finishes). A move the state machine does not allow answers 409 `invalid_transition` with `allowedActions`.',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: LifecycleBody } } },
  },
  responses: {
    200: {
      description: 'The campaign after the move',
      content: { 'application/json': { schema: CampaignSchema } },
    },
    ...errorResponses,
  },
});

export function registerChangeLifecycle(app: App): void {
  app.openapi(changeLifecycleRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await changeCampaignStatus(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json').action,
      clock.now(),
    );
    return c.json(toCampaign(row), 200);
  });
}
