import { createRoute } from '@hono/zod-openapi';
import { deleteStep } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { StepIdParam } from './schema';

export const deleteStepRoute = createRoute({
  method: 'delete',
  path: '/campaigns/steps/{stepId}',
  operationId: 'steps.delete',
  tags: ['Steps'],
  summary: 'Delete a step that has not been sent to anyone',
  description: 'A step with sends answers 409 `conflict`.',
  request: { params: StepIdParam, query: WorkspaceQuery },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function registerDeleteStep(app: App): void {
  app.openapi(deleteStepRoute, async (c) => {
    const { db, clock } = c.get('deps');
    await deleteStep(db, c.get('workspaceId'), c.req.valid('param').stepId, clock.now());
    return c.body(null, 204);
  });
}
