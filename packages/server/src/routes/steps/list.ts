import { createRoute, z } from '@hono/zod-openapi';
import { listSteps } from '@outreach/shared';
import type { App } from '../../app';
import { errorResponses } from '../../lib/problem';
import { WorkspaceQuery } from '../../lib/schemas';
import { CampaignIdParam } from '../campaigns/schema';
import { StepSchema, toStep } from './schema';

export const StepList = z.object({ items: z.array(StepSchema) }).openapi('StepList');

export const listStepsRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/steps',
  operationId: 'steps.list',
  tags: ['Steps'],
  summary: "A campaign's steps, by order",
  request: { params: CampaignIdParam, query: WorkspaceQuery },
  responses: {
    200: { description: 'Every step of the sequence', content: { 'application/json': { schema: StepList } } },
    ...errorResponses,
  },
});

export function registerListSteps(app: App): void {
  app.openapi(listStepsRoute, async (c) => {
    const rows = await listSteps(c.get('deps').db, c.get('workspaceId'), c.req.valid('param').id);
    return c.json({ items: rows.map(toStep) }, 200);
  });
}
