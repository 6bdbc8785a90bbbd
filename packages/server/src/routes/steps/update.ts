import { createRoute } from '@hono/zod-openapi';
import { updateStep } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { StepIdParam, StepSchema, toStep, UpdateStepBody } from './schema';

export const updateStepRoute = createRoute({
  method: 'patch',
  path: '/campaigns/steps/{stepId}',
  operationId: 'steps.update',
  tags: ['Steps'],
  summary: 'Change any field of a step',
  description:
    'Allowed in any campaign status (fix a typo in a running campaign). `variants` replaces the list: an item carrying the `id` of an existing variant keeps it. A step that already has sends cannot change `order` (409).',
  request: {
    params: StepIdParam,
    query: WorkspaceQuery,
    body: { required: true, content: { 'application/json': { schema: UpdateStepBody } } },
  },
  responses: {
    200: { description: 'The updated step', content: { 'application/json': { schema: StepSchema } } },
    ...errorResponses,
  },
});

export function registerUpdateStep(app: App): void {
  app.openapi(updateStepRoute, async (c) => {
    const { db, clock } = c.get('deps');
    const row = await updateStep(
      db,
      c.get('workspaceId'),
      c.req.valid('param').stepId,
      c.req.valid('json'),
      clock.now(),
    );
    return c.json(toStep(row), 200);
  });
}
