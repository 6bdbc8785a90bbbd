import { createRoute } from '@hono/zod-openapi';
import { createStep } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { IdempotencyHeader, WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { CreateStepBody, StepSchema, toStep } from './schema';

export const createStepRoute = createRoute({
  method: 'post',
  path: '/campaigns/{id}/steps',
  operationId: 'steps.create',
  tags: ['Steps'],
  summary: 'Add a step (email template) to a campaign',
  description:
    '`delayDays` (or `delaySeconds`) counts from launch/enrolment for the first step and from the previous send for later ones. `order` is unique in the campaign (409 `conflict`).',
  request: {
    params: CampaignIdParam,
    query: WorkspaceQuery,
    headers: IdempotencyHeader,
    body: { required: true, content: { 'application/json': { schema: CreateStepBody } } },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: StepSchema } } },
    ...errorResponses,
  },
});

export function registerCreateStep(app: App): void {
  app.openapi(createStepRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await createStep(
      db,
      c.get('workspaceId'),
      c.req.valid('param').id,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toStep(row), 201);
  });
}
